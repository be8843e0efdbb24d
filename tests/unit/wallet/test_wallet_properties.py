"""Random sequences of recharges, bonus credits, purchases, expiries, refunds and
adjustments keep every ledger invariant and never move a balance below zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings

from services.wallet.rules.lots import DrawPolicy
from tests.unit.wallet.operations import apply, operations, policies
from tests.unit.wallet.wallet_model import InMemoryWallet

START = datetime(2026, 1, 1, tzinfo=UTC)

@settings(max_examples=300, deadline=None)
@given(policy=policies, ops=operations)
def test_random_sequences_keep_every_ledger_invariant(policy, ops):
    wallet = InMemoryWallet(policy, START)
    for op in ops:
        entries_before = len(wallet.entries)
        applied = apply(wallet, op)
        assert wallet.invariant_violations() == [], op
        assert min((lot.remaining for lot in wallet.lots), default=0) >= 0
        if not applied:
            assert len(wallet.entries) == entries_before, f"{op} was refused but wrote entries"


@settings(max_examples=200, deadline=None)
@given(policy=policies, ops=operations)
def test_a_full_refund_of_every_purchase_restores_the_stored_value_spent(policy, ops):
    wallet = InMemoryWallet(policy, START, bonus_months=None)
    for op in ops:
        if op[0] in ("recharge", "credit_bonus", "purchase"):
            apply(wallet, op)
    before = [(lot.remaining) for lot in wallet.lots]
    drawn = {}
    for purchase in wallet.purchases:
        for draw in purchase.draws:
            drawn[draw.lot_id] = drawn.get(draw.lot_id, 0) + draw.amount
    for index, purchase in enumerate(wallet.purchases):
        assert wallet.refund_purchase(index, purchase.total)
    after = [lot.remaining for lot in wallet.lots]
    assert after == [b + drawn.get(n, 0) for n, b in enumerate(before)]
    assert all(lot.remaining == lot.amount for lot in wallet.lots)


@settings(max_examples=200, deadline=None)
@given(ops=operations)
def test_expiry_never_touches_principal(ops):
    wallet = InMemoryWallet(DrawPolicy.PROPORTIONAL, START, bonus_months=1)
    for op in ops:
        principal_before = wallet.lots_hold("principal")
        if op[0] == "advance":
            wallet.now += timedelta(days=op[1])
            wallet.expire()
            assert wallet.lots_hold("principal") == principal_before
        else:
            apply(wallet, op)
