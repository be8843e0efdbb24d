"""Random sequences of recharges, bonus credits, purchases, expiries, refunds and
adjustments keep every ledger invariant and never move a balance below zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.wallet.domain_lots import DrawPolicy
from tests.unit.wallet.wallet_model import InMemoryWallet

START = datetime(2026, 1, 1, tzinfo=UTC)

operation = st.one_of(
    st.tuples(st.just("recharge"), st.integers(1, 100_000)),
    st.tuples(st.just("credit_bonus"), st.integers(0, 50), st.integers(0, 50_000)),
    st.tuples(st.just("purchase"), st.integers(0, 150_000), st.integers(0, 20_000)),
    st.tuples(st.just("refund_purchase"), st.integers(0, 50), st.integers(1, 150_000)),
    st.tuples(st.just("refund_recharge"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(1, 400)),
    st.tuples(st.just("adjust"), st.integers(-50_000, 50_000), st.integers(-50_000, 50_000)),
)
operations = st.lists(operation, max_size=40)
policies = st.sampled_from(list(DrawPolicy))


def apply(wallet: InMemoryWallet, op: tuple) -> bool:
    """Apply one operation; False when the rules refused it (which must change nothing)."""
    name, *args = op
    if name == "recharge":
        wallet.recharge(args[0])
        return True
    if name == "credit_bonus":
        return bool(wallet.recharges) and wallet.credit_bonus(args[0] % len(wallet.recharges), args[1])
    if name == "purchase":
        return sum(args) > 0 and wallet.purchase(*args)
    if name == "refund_purchase":
        return bool(wallet.purchases) and wallet.refund_purchase(
            args[0] % len(wallet.purchases), args[1])
    if name == "refund_recharge":
        return bool(wallet.recharges) and wallet.refund_recharge(args[0] % len(wallet.recharges))
    if name == "advance":
        wallet.now += timedelta(days=args[0])
        wallet.expire()
        return True
    return (args[0] or args[1]) != 0 and wallet.adjust(*args)


@settings(max_examples=300, deadline=None)
@given(policy=policies, ops=operations)
def test_random_sequences_keep_every_ledger_invariant(policy, ops):
    wallet = InMemoryWallet(policy, START)
    for op in ops:
        entries_before = len(wallet.entries)
        applied = apply(wallet, op)
        assert wallet.invariant_violations() == [], op
        assert min((lot.remaining for lot in wallet.lots), default=0) >= 0
        if not applied and op[0] not in ("purchase",):
            assert len(wallet.entries) == entries_before, f"{op} was refused but wrote entries"


@settings(max_examples=200, deadline=None)
@given(policy=policies, ops=operations)
def test_a_full_refund_of_every_purchase_restores_the_stored_value_spent(policy, ops):
    wallet = InMemoryWallet(policy, START, bonus_lifetime=None)
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
    wallet = InMemoryWallet(DrawPolicy.PROPORTIONAL, START, bonus_lifetime=timedelta(days=30))
    for op in ops:
        principal_before = wallet.lots_hold("principal")
        if op[0] == "advance":
            wallet.now += timedelta(days=op[1])
            wallet.expire()
            assert wallet.lots_hold("principal") == principal_before
        else:
            apply(wallet, op)
