"""The tier discount at the till on real PostgreSQL: off by default (a gold member pays the
till's total); on, the member's tier discount comes off every line but the membership line,
the tenders add up to what is left, and the receipt, the stored purchase and
`PurchaseCompleted` say which tier gave how much. The wallet learns tiers and discounts
from tiering's events (`TierChanged`, `TierProgramPublished`), never by asking."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from sqlalchemy import event as sqlalchemy_event

from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.events.cloudevents import to_kafka_headers
from shared.events.envelope import Event
from shared.events.tiering import TIER_PROGRAM_KEY, TierBenefitsEntry, TierChanged, TierProgramPublished
from shared.topics import Topics
from shared.transport import BusTransport
from tests.support.auth import pos_headers
from tests.support.quotes import quote_token, quoted
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def moved(member_id: str, to_tier: str, at: datetime = NOW) -> TierChanged:
    down = to_tier == "regular"
    return TierChanged(member_id=member_id, occurred_at=at, from_tier="gold" if down else "regular",
                       to_tier=to_tier, direction="down" if down else "up", reason="test",
                       qualifying_amount=2_100_000, currency="CNY", effective_at=at)


def program(version: int, gold_bps: int) -> TierProgramPublished:
    tiers = [TierBenefitsEntry(name=name, discount_bps=bps, points_multiplier_bps=10_000,
                               bonus_multiplier_bps=10_000)
             for name, bps in (("regular", 0), ("gold", gold_bps))]
    return TierProgramPublished(member_id=TIER_PROGRAM_KEY, occurred_at=NOW,
                                program_version=version, measure="spend_12m",
                                effective_from=NOW, tiers=tuple(tiers))


def order(member_id: str, paid: int, *items: dict, total: int | None = None) -> dict:
    total = sum(i["amount"] for i in items) if total is None else total
    return {"member_id": member_id, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1", "items": list(items),
            "tenders": [{"method": "card", "amount": paid, "reference": "card-1"}]}


LATTES = {"sku": "latte", "category": "drinks", "quantity": 2, "amount": 10_000}


async def discount_wallet(bus_platform, on: bool) -> AsyncIterator[tuple[httpx.AsyncClient, object, object]]:
    transport = BusTransport()
    settings = WalletSettings(tier_discount_at_till=on)
    async with (running(WALLET, bus_platform, transport, settings=settings) as wallet,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                  base_url="http://wallet", headers=pos_headers()) as client):
        async def tiering_says(*events: Event) -> None:
            topic = Topics(bus_platform.topic_prefix).events("tiering")
            before = len(await fetch_all(bus_platform.database_url, "SELECT 1 FROM wallet.inbox"))
            for event in events:
                await transport.bus.append(topic, event.member_id, tuple(to_kafka_headers(event)),
                                           event.to_json())
            await eventually(lambda: fetch_all(bus_platform.database_url, "SELECT 1 FROM wallet.inbox"),
                             lambda rows: len(rows) == before + len(events))
        yield client, tiering_says, wallet


@pytest.fixture
async def off(bus_platform):
    async for pair in discount_wallet(bus_platform, on=False):
        yield pair


@pytest.fixture
async def on(bus_platform):
    async for pair in discount_wallet(bus_platform, on=True):
        yield pair


async def buy(client: httpx.AsyncClient, body: dict) -> httpx.Response:
    return await client.post("/v1/purchases", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


async def published(database_url: str, purchase_id: str) -> dict:
    rows = await fetch_all(database_url, "SELECT payload FROM wallet.outbox WHERE ce_type = "
                           "'patronage.wallet.PurchaseCompleted.v1'")
    [found] = [p for p in (orjson.loads(r["payload"]) for r in rows) if p["purchase_id"] == purchase_id]
    return found


async def test_off_by_default_a_gold_member_pays_the_tills_total(off, bus_platform):
    client, tiering_says, _ = off
    assert WalletSettings().tier_discount_at_till is False
    await tiering_says(moved("m_off", "gold"))
    receipt = await buy(client, order("m_off", 10_000, LATTES))
    assert receipt.status_code == 201, receipt.text
    body = receipt.json()
    assert (body["total"], body["tier"], body["tier_discount_amount"]) == (10_000, None, None)
    event = await published(bus_platform.database_url, body["purchase_id"])
    assert (event["total"], event["tier_discount_amount"]) == (10_000, None)


async def test_on_the_tier_discount_comes_off_all_but_the_membership_line(on, bus_platform):
    client, tiering_says, _ = on
    await tiering_says(moved("m_on", "gold"))
    short = await buy(client, order("m_on", 10_000, LATTES))  # the tenders cover the full total
    assert (short.status_code, short.json()["code"]) == (422, "tenders_do_not_add_up")
    token = quote_token(quoted("m_on", 1, 28_000))
    renewal = {"sku": "membership-1y", "category": "membership", "quantity": 1, "amount": 28_000,
               "quote_token": token}
    receipt = await buy(client, order("m_on", 28_000 + 9_500, LATTES, renewal))
    assert receipt.status_code == 201, receipt.text
    body = receipt.json()  # gold: 5 % of the lattes' 10,000; the membership at its quote
    assert (body["total"], body["tier"], body["tier_discount_bps"], body["tier_discount_amount"]) == (
        37_500, "gold", 500, 500)
    event = await published(bus_platform.database_url, body["purchase_id"])
    assert (event["total"], event["tier"], event["tier_discount_bps"],
            event["tier_discount_amount"]) == (37_500, "gold", 500, 500)
    read = await client.get(f"/v1/purchases/{body['purchase_id']}")
    assert (read.json()["total"], read.json()["tier_discount_amount"]) == (37_500, 500)


async def test_the_discount_follows_the_program_and_the_newest_tier(on):
    client, tiering_says, _ = on
    never_moved = (await buy(client, order("m_new", 10_000, LATTES))).json()
    assert (never_moved["tier"], never_moved["tier_discount_amount"]) == ("regular", 0)
    await tiering_says(moved("m_prog", "gold"), program(2, gold_bps=800), program(1, gold_bps=100))
    eight = (await buy(client, order("m_prog", 9_200, LATTES))).json()
    assert (eight["tier_discount_bps"], eight["total"]) == (800, 9_200)  # version 1 came late
    await tiering_says(moved("m_prog", "regular", NOW - timedelta(days=1)))  # older: ignored
    still = (await buy(client, order("m_prog", 9_200, LATTES))).json()
    assert still["tier"] == "gold"
    await tiering_says(moved("m_prog", "regular", NOW + timedelta(days=1)))
    back = (await buy(client, order("m_prog", 10_000, LATTES))).json()
    assert (back["tier"], back["tier_discount_amount"], back["total"]) == ("regular", 0, 10_000)


async def statements_of_a_purchase(client, wallet, member_id: str, paid: int) -> list[str]:
    """The SQL statements the purchase request itself runs (not the jobs meanwhile)."""
    statements: list[str] = []
    this_request = asyncio.current_task()  # ASGITransport runs the app in this task

    def count(conn, cursor, statement, *args) -> None:
        if asyncio.current_task() is this_request:
            statements.append(statement)

    sqlalchemy_event.listen(wallet.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert (await buy(client, order(member_id, paid, LATTES))).status_code == 201
    finally:
        sqlalchemy_event.remove(wallet.engine.sync_engine, "before_cursor_execute", count)
    return statements


async def test_the_discount_costs_the_purchase_one_statement_and_nothing_when_off(off, on):
    (off_client, off_says, off_wallet), (on_client, on_says, on_wallet) = off, on
    await off_says(moved("m_cost_off", "gold"))
    await on_says(moved("m_cost_on", "gold"))
    await buy(off_client, order("m_cost_off", 10_000, LATTES))  # warm both paths up
    await buy(on_client, order("m_cost_on", 9_500, LATTES))
    without = await statements_of_a_purchase(off_client, off_wallet, "m_cost_off", 10_000)
    with_discount = await statements_of_a_purchase(on_client, on_wallet, "m_cost_on", 9_500)
    assert not any("tier_discounts" in s for s in without)
    extra = [s for s in with_discount if "tier_discounts" in s]
    assert len(extra) == 1 and len(with_discount) == len(without) + 1
