"""An erased member's remaining balance leaves their accounts in one balanced entry, by the
merchant's rule: refund owes the principal back, forfeit makes it breakage; bonus is
breakage either way; nothing is lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.wallet.rules.entries import Account, erasure_lines

AMOUNTS = st.integers(min_value=0, max_value=10**12)


def by_account(lines) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.account] = totals.get(line.account, 0) + line.amount
    return totals


def test_refund_owes_the_principal_back_and_makes_the_bonus_breakage():
    assert by_account(erasure_lines("m_1", 300, 50, "refund")) == {
        Account.MEMBER_PRINCIPAL: 300, Account.MEMBER_BONUS: 50,
        Account.REFUND_DUE: -300, Account.BREAKAGE: -50}


def test_forfeit_makes_everything_breakage():
    assert by_account(erasure_lines("m_1", 300, 50, "forfeit")) == {
        Account.MEMBER_PRINCIPAL: 300, Account.MEMBER_BONUS: 50, Account.BREAKAGE: -350}


@given(principal=AMOUNTS, bonus=AMOUNTS, treatment=st.sampled_from(["refund", "forfeit"]))
def test_the_entry_balances_and_empties_exactly_the_members_accounts(principal, bonus, treatment):
    lines = erasure_lines("m_1", principal, bonus, treatment)
    assert sum(line.amount for line in lines) == 0
    totals = by_account(lines)
    assert (totals.get(Account.MEMBER_PRINCIPAL, 0), totals.get(Account.MEMBER_BONUS, 0)) == (
        principal, bonus)
    assert all(line.member_id == ("m_1" if line.account in Account.MEMBER else None)
               for line in lines)
    assert all(line.amount for line in lines)  # no zero lines
