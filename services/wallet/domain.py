"""Wallet rules as plain values: limits, and the journal entry of a recharge.

No framework imports here. Amounts are integer minor units. Ledger sign convention:
a line's amount is positive for a debit and negative for a credit; an entry balances
when its lines sum to zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.money import Money


class WalletRuleViolation(Exception):
    """A request the rules refuse; `code` is the stable problem code clients switch on."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


class Account:
    MERCHANT_CLEARING = "merchant_clearing"
    MEMBER_PRINCIPAL = "member_principal"
    MEMBER_BONUS = "member_bonus"
    BONUS_EXPENSE = "bonus_expense"


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
    if amount.currency not in limits.currencies:
        raise WalletRuleViolation(
            "unsupported_currency", f"This merchant does not take {amount.currency} recharges.")
    if amount.amount <= 0:
        raise WalletRuleViolation("amount_not_positive", "A recharge amount must be positive.")
    if amount.amount > limits.max_recharge:
        raise WalletRuleViolation(
            "recharge_above_limit",
            f"A single recharge may be at most {Money(limits.max_recharge, amount.currency)}.")
    if stored_before + amount.amount > limits.max_balance:
        raise WalletRuleViolation(
            "balance_limit_exceeded",
            f"Stored value may not exceed {Money(limits.max_balance, amount.currency)}.")


def recharge_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Cash comes in (debit clearing), the merchant owes the member (credit principal)."""
    return (
        LedgerLine(Account.MERCHANT_CLEARING, amount),
        LedgerLine(Account.MEMBER_PRINCIPAL, -amount, member_id),
    )


def is_balanced(lines: tuple[LedgerLine, ...]) -> bool:
    return sum(line.amount for line in lines) == 0
