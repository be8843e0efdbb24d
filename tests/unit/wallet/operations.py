"""Random wallet operations (hypothesis strategies) and how the in-memory model applies
them; the database variant drives the same sequences through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from services.wallet.rules.lots import DrawPolicy
from tests.unit.wallet.wallet_model import InMemoryWallet

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
