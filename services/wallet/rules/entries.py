"""The ledger's accounts and the journal lines of every money move.

Sign convention: a line's amount is positive for a debit and negative for a credit; an
entry balances when its lines sum to zero. Member accounts (liabilities: the merchant owes
the member) carry the member id; zero lines are left out.
"""

from __future__ import annotations

from dataclasses import dataclass


class Account:
    """Member accounts carry the member id; the others are the merchant's side of each move."""

    MERCHANT_CLEARING = "merchant_clearing"  # cash received for recharges, paid out on refunds
    MEMBER_PRINCIPAL = "member_principal"  # money members paid in, unspent
    MEMBER_BONUS = "member_bonus"  # money the merchant gave, unspent
    BONUS_EXPENSE = "bonus_expense"  # cost of bonuses granted (credited back on claw-back)
    SALES_REVENUE = "sales_revenue"  # what purchases earned, whatever the tender
    OTHER_TENDER = "other_tender"  # card/cash/... taken at the till for purchases
    BREAKAGE = "breakage"  # bonus that expired unspent
    ADJUSTMENTS = "wallet_adjustments"  # operators' corrections
    OPENING_BALANCES = "opening_balances"  # what members held in the merchant's previous system

    MEMBER = frozenset({MEMBER_PRINCIPAL, MEMBER_BONUS})


@dataclass(frozen=True)
class LedgerLine:
    account: str
    amount: int
    member_id: str | None = None


def _lines(member_id: str, *pairs: tuple[str, int]) -> tuple[LedgerLine, ...]:
    return tuple(
        LedgerLine(account, amount, member_id if account in Account.MEMBER else None)
        for account, amount in pairs if amount
    )


def recharge_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Cash comes in (debit clearing), the merchant owes the member (credit principal)."""
    return _lines(member_id, (Account.MERCHANT_CLEARING, amount),
                  (Account.MEMBER_PRINCIPAL, -amount))


def bonus_credit_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """The merchant spends on a bonus (expense) and owes it to the member."""
    return _lines(member_id, (Account.BONUS_EXPENSE, amount), (Account.MEMBER_BONUS, -amount))


def purchase_lines(member_id: str, principal: int, bonus: int, other: int) -> tuple[LedgerLine, ...]:
    """Stored value spent settles the liabilities; other tenders come in; revenue is earned."""
    return _lines(member_id, (Account.MEMBER_PRINCIPAL, principal), (Account.MEMBER_BONUS, bonus),
                  (Account.OTHER_TENDER, other),
                  (Account.SALES_REVENUE, -(principal + bonus + other)))


def purchase_refund_lines(member_id: str, principal: int, bonus: int,
                          other: int) -> tuple[LedgerLine, ...]:
    return _lines(member_id, (Account.SALES_REVENUE, principal + bonus + other),
                  (Account.MEMBER_PRINCIPAL, -principal), (Account.MEMBER_BONUS, -bonus),
                  (Account.OTHER_TENDER, -other))


def recharge_refund_lines(member_id: str, principal_released: int, bonus_released: int,
                          cash: int, clawed_back: int) -> tuple[LedgerLine, ...]:
    """The recharge's lots are emptied; cash goes out; the rest reverses bonus expense."""
    return _lines(member_id, (Account.MEMBER_PRINCIPAL, principal_released),
                  (Account.MEMBER_BONUS, bonus_released), (Account.MERCHANT_CLEARING, -cash),
                  (Account.BONUS_EXPENSE, -clawed_back))


def bonus_clawback_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Bonus taken back (a refunded purchase's cash-back): the reverse of its credit."""
    return _lines(member_id, (Account.MEMBER_BONUS, amount), (Account.BONUS_EXPENSE, -amount))


def expiry_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Unspent bonus at its expiry is breakage: income, never a silent drop."""
    return _lines(member_id, (Account.MEMBER_BONUS, amount), (Account.BREAKAGE, -amount))


def adjustment_lines(member_id: str, principal_delta: int, bonus_delta: int) -> tuple[LedgerLine, ...]:
    return _lines(member_id, (Account.MEMBER_PRINCIPAL, -principal_delta),
                  (Account.MEMBER_BONUS, -bonus_delta),
                  (Account.ADJUSTMENTS, principal_delta + bonus_delta))


def opening_balance_lines(member_id: str, principal: int, bonus: int) -> tuple[LedgerLine, ...]:
    """An imported balance: the merchant owes the member what the previous system owed them,
    against the opening-balance account (the old books), never cash received or a bonus spent."""
    return _lines(member_id, (Account.OPENING_BALANCES, principal + bonus),
                  (Account.MEMBER_PRINCIPAL, -principal), (Account.MEMBER_BONUS, -bonus))
