"""Wallet rules as plain values: limits, the ledger's accounts and the recharge entry.

No framework imports here. Amounts are integer minor units. Ledger sign convention:
a line's amount is positive for a debit and negative for a credit; an entry balances
when its lines sum to zero. The other money rules live next door: `domain_lots` (which
lots pay), `domain_refunds` (what goes back) and `domain_entries` (each move's lines).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.money import Money


class WalletRuleViolation(Exception):
    """A request the rules refuse; `code` is the stable problem code clients switch on."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


class NotFound(WalletRuleViolation):
    """The thing a request names does not exist (or the caller may not see it): a 404."""


class Account:
    """Member accounts (liabilities: the merchant owes the member) carry the member id;
    the others are the merchant's side of each move."""

    MERCHANT_CLEARING = "merchant_clearing"  # cash received for recharges, paid out on refunds
    MEMBER_PRINCIPAL = "member_principal"  # money members paid in, unspent
    MEMBER_BONUS = "member_bonus"  # money the merchant gave, unspent
    BONUS_EXPENSE = "bonus_expense"  # cost of bonuses granted (credited back on claw-back)
    SALES_REVENUE = "sales_revenue"  # what purchases earned, whatever the tender
    OTHER_TENDER = "other_tender"  # card/cash/... taken at the till for purchases
    BREAKAGE = "breakage"  # bonus that expired unspent
    ADJUSTMENTS = "wallet_adjustments"  # operators' corrections

    MEMBER = frozenset({MEMBER_PRINCIPAL, MEMBER_BONUS})


@dataclass(frozen=True)
class StoredValueLimits:
    """Prepaid-card limits. China's single-purpose prepaid-card rules cap a registered
    card's stored value at 5,000 yuan, hence the defaults (in fen)."""

    currencies: frozenset[str]
    max_recharge: int = 500_000
    max_balance: int = 500_000


@dataclass(frozen=True)
class LedgerLine:
    account: str
    amount: int
    member_id: str | None = None


def check_recharge(amount: Money, stored_before: int, limits: StoredValueLimits) -> None:
    """Raise unless a recharge of `amount` onto a wallet holding `stored_before` is allowed."""
    check_recharge_request(amount, limits)
    check_stored_value(amount, stored_before, limits)


def check_recharge_request(amount: Money, limits: StoredValueLimits) -> None:
    """The checks that need no wallet state (the hot path does them before its one trip)."""
    if amount.currency not in limits.currencies:
        raise WalletRuleViolation(
            "unsupported_currency", f"This merchant does not take {amount.currency} recharges.")
    if amount.amount <= 0:
        raise WalletRuleViolation("amount_not_positive", "A recharge amount must be positive.")
    if amount.amount > limits.max_recharge:
        raise WalletRuleViolation(
            "recharge_above_limit",
            f"A single recharge may be at most {Money(limits.max_recharge, amount.currency)}.")


def check_stored_value(amount: Money, stored_before: int, limits: StoredValueLimits) -> None:
    if stored_before + amount.amount > limits.max_balance:
        raise WalletRuleViolation(BALANCE_LIMIT_EXCEEDED, balance_limit_detail(limits, amount.currency))


def recharge_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Cash comes in (debit clearing), the merchant owes the member (credit principal)."""
    return (
        LedgerLine(Account.MERCHANT_CLEARING, amount),
        LedgerLine(Account.MEMBER_PRINCIPAL, -amount, member_id),
    )


def is_balanced(lines: tuple[LedgerLine, ...]) -> bool:
    return sum(line.amount for line in lines) == 0


BALANCE_LIMIT_EXCEEDED = "balance_limit_exceeded"


def balance_limit_detail(limits: StoredValueLimits, currency: str) -> str:
    return f"Stored value may not exceed {Money(limits.max_balance, currency)}."
