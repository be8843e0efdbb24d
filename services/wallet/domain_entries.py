"""The journal lines of every money move (debit positive, credit negative; each set sums
to zero). Member accounts carry the member id; zero lines are left out."""

from __future__ import annotations

from services.wallet.domain import Account, LedgerLine, recharge_lines

__all__ = ["adjustment_lines", "bonus_credit_lines", "expiry_lines", "purchase_lines",
           "purchase_refund_lines", "recharge_lines", "recharge_refund_lines"]


def _lines(member_id: str, *pairs: tuple[str, int]) -> tuple[LedgerLine, ...]:
    return tuple(
        LedgerLine(account, amount, member_id if account in Account.MEMBER else None)
        for account, amount in pairs if amount
    )


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


def expiry_lines(member_id: str, amount: int) -> tuple[LedgerLine, ...]:
    """Unspent bonus at its expiry is breakage: income, never a silent drop."""
    return _lines(member_id, (Account.MEMBER_BONUS, amount), (Account.BREAKAGE, -amount))


def adjustment_lines(member_id: str, principal_delta: int, bonus_delta: int) -> tuple[LedgerLine, ...]:
    return _lines(member_id, (Account.MEMBER_PRINCIPAL, -principal_delta),
                  (Account.MEMBER_BONUS, -bonus_delta),
                  (Account.ADJUSTMENTS, principal_delta + bonus_delta))
