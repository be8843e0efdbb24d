"""Bonus decisions from rewards, and refunds of purchases and recharges."""

from __future__ import annotations

import pytest

from shared.events.rewards import BonusHeld, BonusRejected, HoldReason, grant_id_for
from shared.events.wallet import BonusCredited, PurchaseRefunded, RechargeRefunded
from tests.integration.wallet.money import (
    OPS,
    balance,
    bonus_status,
    books_are_right,
    deliver,
    granted,
    key,
    published,
    purchase,
    recharge,
)
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
REASONS = (HoldReason(rule="velocity", detail="3 recharges in 10 minutes"),)


async def test_the_same_grant_credited_once_even_as_two_different_events(client, wallet, bus_platform):
    paid = await recharge(client, "m_twice", 10_000)
    await deliver(wallet, granted("m_twice", paid["recharge_id"], 1_000))
    await deliver(wallet, granted("m_twice", paid["recharge_id"], 1_000))
    await bonus_status(client, paid["recharge_id"], "credited")
    await eventually(lambda: fetch_all(bus_platform.database_url, "SELECT * FROM wallet.inbox"),
                     lambda rows: len(rows) == 2)

    assert await balance(client, "m_twice") == (10_000, 1_000)
    assert len(await published(bus_platform.database_url, BonusCredited)) == 1


async def test_held_then_granted_and_rejected_show_on_the_recharge(client, wallet):
    held = await recharge(client, "m_dec", 10_000)
    rejected = await recharge(client, "m_dec", 10_000)
    await deliver(wallet, BonusHeld(
        member_id="m_dec", grant_id=grant_id_for(held["recharge_id"]), recharge_id=held["recharge_id"],
        amount=500, currency="CNY", reasons=REASONS, risk_score=70, occurred_at="2026-11-23T12:00:00Z"))
    await deliver(wallet, BonusRejected(
        member_id="m_dec", grant_id=grant_id_for(rejected["recharge_id"]),
        recharge_id=rejected["recharge_id"], reasons=REASONS, occurred_at="2026-11-23T12:00:00Z"))
    await bonus_status(client, held["recharge_id"], "held")
    await bonus_status(client, rejected["recharge_id"], "rejected")

    await deliver(wallet, granted("m_dec", held["recharge_id"], 500, reviewed_by="ops_bob"))
    await bonus_status(client, held["recharge_id"], "credited")
    assert await balance(client, "m_dec") == (20_000, 500)


async def test_pay_500_get_80_spend_290_then_refund_the_recharge_pays_back_250(client, wallet, bus_platform):
    paid = await recharge(client, "m_rr", 50_000)
    await deliver(wallet, granted("m_rr", paid["recharge_id"], 8_000))
    await bonus_status(client, paid["recharge_id"], "credited")
    await purchase(client, "m_rr", 29_000)

    response = await client.post(f"/v1/recharges/{paid['recharge_id']}/refund", headers=key(),
                                 json={"reason": "member moved away"})

    assert response.status_code == 201, response.text
    refund = response.json()
    assert (refund["consumed"], refund["principal_refunded"], refund["bonus_clawed_back"]) == (
        29_000, 25_000, 4_000)
    assert await balance(client, "m_rr") == (0, 0)
    [event] = await published(bus_platform.database_url, RechargeRefunded)
    assert (event.principal_refunded, event.bonus_clawed_back) == (25_000, 4_000)
    again = await client.post(f"/v1/recharges/{paid['recharge_id']}/refund", headers=key(),
                              json={"reason": "again"})
    assert (again.status_code, again.json()["code"]) == (409, "recharge_already_refunded")
    assert (await bonus_status(client, paid["recharge_id"], "voided"))["refunded_at"]
    await books_are_right(wallet)


async def test_a_grant_after_the_recharge_was_refunded_is_not_credited(client, wallet):
    paid = await recharge(client, "m_late", 10_000)
    await client.post(f"/v1/recharges/{paid['recharge_id']}/refund", headers=key(),
                      json={"reason": "changed mind"})
    await deliver(wallet, granted("m_late", paid["recharge_id"], 1_000))
    await eventually(lambda: fetch_all(wallet.platform.database_url, "SELECT * FROM wallet.inbox"),
                     lambda rows: len(rows) == 1)
    assert await balance(client, "m_late") == (0, 0)
    assert (await bonus_status(client, paid["recharge_id"], "voided"))["bonus"]["amount"] is None


async def test_purchase_refunds_go_back_to_the_lots_they_came_from(client, wallet, bus_platform):
    paid = await recharge(client, "m_pr", 50_000)
    await deliver(wallet, granted("m_pr", paid["recharge_id"], 8_000))
    await bonus_status(client, paid["recharge_id"], "credited")
    bought = await purchase(client, "m_pr", 29_000, other=1_000)
    url = f"/v1/purchases/{bought['purchase_id']}/refunds"

    part = await client.post(url, headers=key(), json={"amount": 10_000, "reason": "one item back"})
    rest = await client.post(url, headers=key(), json={"amount": 20_000})
    over = await client.post(url, headers=key(), json={"amount": 1})

    assert part.status_code == rest.status_code == 201
    assert (over.status_code, over.json()["code"]) == (422, "refund_exceeds_purchase")
    assert await balance(client, "m_pr") == (50_000, 8_000)
    events = await published(bus_platform.database_url, PurchaseRefunded)
    assert sum(e.returned_principal for e in events) == 25_000
    assert sum(e.returned_bonus for e in events) == 4_000
    assert sum(e.amount for e in events) == 30_000
    await books_are_right(wallet)


async def test_refunds_need_the_store_or_the_ops_refund_scope(client):
    paid = await recharge(client, "m_auth", 1_000)
    url = f"/v1/recharges/{paid['recharge_id']}/refund"
    other_store = await client.post(url, headers={**key(), **pos_headers("store_2")},
                                    json={"reason": "x"})
    by_ops = await client.post(url, headers={**key(), "X-Api-Key": "", **OPS}, json={"reason": "x"})
    assert other_store.status_code == 404
    assert by_ops.status_code == 201
