"""The wallet's batch handler for `BonusGranted` credits exactly as crediting each grant
alone: the same lots, balances, ledger and `BonusCredited` events (running bonus balance
included) for a batch with several grants of one member, a grant sent twice, a zero grant
and a grant for a refunded recharge — each side with its own members."""

from __future__ import annotations

import pytest

from services.wallet.store.bonuses import BonusForUnknownRecharge, credit_bonuses
from shared.events.wallet import BonusCredited
from tests.integration.wallet.money import books_are_right, granted, key, recharge
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def grants(client, side: str) -> list:
    paid = [await recharge(client, f"{side}-m1", 10_000) for _ in range(3)]
    other = await recharge(client, f"{side}-m2", 20_000)
    refunded = await recharge(client, f"{side}-m2", 5_000)
    await client.post(f"/v1/recharges/{refunded['recharge_id']}/refund", headers=key(),
                      json={"reason": "changed mind"})
    first = granted(f"{side}-m1", paid[0]["recharge_id"], 1_000)
    return [
        first,
        granted(f"{side}-m2", other["recharge_id"], 4_000),
        granted(f"{side}-m1", paid[1]["recharge_id"], 2_000),
        first.model_copy(update={"event_id": granted("x", paid[0]["recharge_id"], 1).event_id}),
        granted(f"{side}-m1", paid[2]["recharge_id"], 0),
        granted(f"{side}-m2", refunded["recharge_id"], 500),
    ]


def credited(emitted: list, sources: list) -> list:
    index = {event.event_id: n for n, event in enumerate(sources)}
    return [(index[e.causation_id], e.amount, e.bonus_balance) for e in emitted
            if isinstance(e, BonusCredited)]


async def wallet_state(database_url: str, side: str) -> list:
    return [tuple(row) for row in await fetch_all(database_url, """
        SELECT w.member_id, w.principal, w.bonus,
               (SELECT count(*) FROM wallet.lots l WHERE l.member_id = w.member_id AND kind = 'bonus'),
               (SELECT coalesce(sum(amount), 0) FROM wallet.journal_lines j
                 WHERE j.member_id = w.member_id AND j.account = 'member_bonus'),
               (SELECT array_agg(r.bonus_status || ':' || coalesce(r.bonus_amount, -1)
                                 ORDER BY r.created_at) FROM wallet.recharges r
                 WHERE r.member_id = w.member_id)
        FROM wallet.wallets w WHERE w.member_id LIKE $1 ORDER BY w.member_id""", f"{side}-%")]


async def test_a_batch_of_grants_credits_as_each_grant_alone(client, wallet):
    batched, alone = await grants(client, "b"), await grants(client, "a")
    async with wallet.context.uow() as uow:
        await credit_bonuses(batched, uow, 12)
        batch_events = list(uow.pending)
    alone_events = []
    for event in alone:
        async with wallet.context.uow() as uow:
            await credit_bonuses([event], uow, 12)
            alone_events += uow.pending

    assert credited(batch_events, batched) == credited(alone_events, alone) == [
        (0, 1_000, 1_000), (1, 4_000, 4_000), (2, 2_000, 3_000)]
    url = wallet.platform.database_url
    state = await wallet_state(url, "b")
    assert [row[1:] for row in state] == [row[1:] for row in await wallet_state(url, "a")]
    await books_are_right(wallet)


async def test_a_grant_for_a_recharge_the_wallet_never_made_fails_the_batch(client, wallet):
    paid = await recharge(client, "m-known", 10_000)
    events = [granted("m-known", paid["recharge_id"], 1_000),
              granted("m-known", "00000000-0000-4000-8000-000000000000", 1_000)]
    with pytest.raises(BonusForUnknownRecharge):
        async with wallet.context.uow() as uow:
            await credit_bonuses(events, uow, 12)
