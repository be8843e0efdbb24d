"""POST /v1/purchases: draws on lots by policy, records other tenders, reaches the platform
as PurchaseCompleted, refuses overdrafts without writing anything, and never overdraws a
wallet under 50 concurrent purchases."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared.events.wallet import BonusCredited, PurchaseCompleted
from tests.integration.wallet.money import (
    balance,
    bonus_status,
    books_are_right,
    deliver,
    granted,
    key,
    published,
    purchase,
    purchase_body,
    recharge,
)
from tests.support.auth import member_headers, pos_headers
from tests.support.quotes import quote_token, quoted
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_proportional_draw_pays_principal_and_bonus_in_proportion(client, wallet, bus_platform):
    paid = await recharge(client, "m_p", 50_000)
    await deliver(wallet, granted("m_p", paid["recharge_id"], 8_000))
    credited = await bonus_status(client, paid["recharge_id"], "credited")

    receipt = await purchase(client, "m_p", 29_000, other=1_000)

    assert credited["bonus"] == {"status": "credited", "amount": 8_000}
    assert (receipt["paid_principal"], receipt["paid_bonus"], receipt["paid_other"]) == (
        25_000, 4_000, 1_000)
    assert await balance(client, "m_p") == (25_000, 4_000)
    [event] = await published(bus_platform.database_url, PurchaseCompleted)
    assert (event.purchase_id, event.total, event.paid_other) == (receipt["purchase_id"], 30_000, 1_000)
    [bonus_event] = await published(bus_platform.database_url, BonusCredited)
    assert bonus_event.bonus_balance == 8_000
    await books_are_right(wallet)


async def test_insufficient_balance_is_a_422_and_writes_nothing(client, wallet, bus_platform):
    await recharge(client, "m_poor", 1_000)
    before = await fetch_all(bus_platform.database_url, "SELECT count(*) AS n FROM wallet.journal_entries")

    response = await client.post("/v1/purchases", headers=key(), json=purchase_body("m_poor", 1_001))

    assert (response.status_code, response.json()["code"]) == (422, "insufficient_balance")
    assert response.headers["content-type"] == "application/problem+json"
    after = await fetch_all(bus_platform.database_url, "SELECT count(*) AS n FROM wallet.journal_entries")
    assert after[0]["n"] == before[0]["n"]
    assert await balance(client, "m_poor") == (1_000, 0)
    assert await published(bus_platform.database_url, PurchaseCompleted) == []


async def test_a_purchase_paid_only_by_card_still_reaches_the_platform_with_its_items(client, bus_platform):
    body = purchase_body("m_card", 0, other=28_000)
    body["items"] = [{"sku": "membership-1y", "category": "membership", "quantity": 1, "amount": 28_000,
                      "quote_token": quote_token(quoted("m_card", 1, 28_000))}]
    response = await client.post("/v1/purchases", headers=key(), json=body)

    assert response.status_code == 201
    [event] = await published(bus_platform.database_url, PurchaseCompleted)
    assert (event.paid_principal, event.paid_bonus, event.paid_other) == (0, 0, 28_000)
    assert [(i.sku, i.category) for i in event.items] == [("membership-1y", "membership")]


async def test_50_concurrent_purchases_never_overdraw_one_wallet(client, wallet, bus_platform):
    await recharge(client, "m_rush", 10_000)
    responses = await asyncio.gather(*(
        client.post("/v1/purchases", headers=key(), json=purchase_body("m_rush", 700))
        for _ in range(50)))

    codes = [r.status_code for r in responses]
    assert codes.count(201) == 14 and codes.count(422) == 36
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"insufficient_balance"}
    assert await balance(client, "m_rush") == (10_000 - 14 * 700, 0)
    await books_are_right(wallet)


@pytest.mark.parametrize(("change", "code", "status"), [
    ({"total": 999}, "tenders_do_not_add_up", 422),
    ({"tenders": [{"method": "stored_value", "amount": 500}] * 2, "total": 1000}, "invalid_tenders", 422),
    ({"currency": "USD"}, "unsupported_currency", 422),
    ({"tenders": []}, "invalid_request", 422),
    ({"total": -5}, "invalid_request", 422),
    ({"tenders": [{"method": "bitcoin", "amount": 1000}]}, "invalid_request", 422),
    ({"items": [{"sku": "x", "quantity": 0, "amount": 1}]}, "invalid_request", 422),
])
async def test_bad_purchases_get_problems_with_stable_codes(client, change, code, status):
    await recharge(client, "m_bad", 5_000)
    response = await client.post("/v1/purchases", headers=key(),
                                 json={**purchase_body("m_bad", 1_000), **change})
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_an_order_reference_is_used_once_per_store(client):
    await recharge(client, "m_ord", 5_000)
    body = purchase_body("m_ord", 100)
    assert (await client.post("/v1/purchases", headers=key(), json=body)).status_code == 201
    again = await client.post("/v1/purchases", headers=key(), json=body)
    assert (again.status_code, again.json()["code"]) == (409, "order_reference_reused")


async def test_purchase_idempotency_replays_and_moves_money_once(client):
    await recharge(client, "m_idem", 5_000)
    body, headers = purchase_body("m_idem", 1_000), key()
    first = await client.post("/v1/purchases", headers=headers, json=body)
    again = await client.post("/v1/purchases", headers=headers, json=body)
    other = await client.post("/v1/purchases", headers=headers, json=purchase_body("m_idem", 5))
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert await balance(client, "m_idem") == (4_000, 0)


async def test_a_terminal_only_sees_purchases_of_its_store_and_a_member_only_their_own(client):
    await recharge(client, "m_seen", 5_000)
    receipt = await purchase(client, "m_seen", 100)
    url = f"/v1/purchases/{receipt['purchase_id']}"
    assert (await client.get(url)).status_code == 200
    assert (await client.get(url, headers=pos_headers("store_9"))).status_code == 404
    assert (await client.get(url, headers={"X-Api-Key": "", **member_headers("m_else")})).status_code == 404
    assert (await client.get(url, headers={"X-Api-Key": "", **member_headers("m_seen")})).status_code == 200


async def test_unknown_purchase_is_a_404_problem(client):
    response = await client.get(f"/v1/purchases/{uuid.uuid4()}")
    assert (response.status_code, response.json()["code"]) == (404, "purchase_not_found")
