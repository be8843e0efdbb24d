"""Moving money through the wallet's API in tests: recharge, grant a bonus (as rewards
would, through the bus), purchase, refund, and reading the books."""

from __future__ import annotations

import uuid

import httpx
import orjson

from services.wallet.store.verification import verify_ledger
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.rewards import BonusGranted, grant_id_for
from shared.runtime import ServiceRuntime
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def recharge(client: httpx.AsyncClient, member: str, amount: int, store: str = "store_1") -> dict:
    response = await client.post("/v1/recharges", headers=key(), json={
        "member_id": member, "amount": amount, "currency": "CNY", "payment_method": "cash",
        "payment_reference": "cash-1", "store_id": store, "terminal_id": "pos_1",
        "channel": "pos", "pos_reference": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()


def purchase_body(member: str, stored_value: int, other: int = 0, **overrides: object) -> dict:
    tenders = ([{"method": "stored_value", "amount": stored_value}] if stored_value else []) + (
        [{"method": "card", "amount": other, "reference": "card-1"}] if other else [])
    return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": stored_value + other, "store_id": "store_1", "terminal_id": "pos_1",
            "items": [{"sku": "latte", "category": "drinks", "quantity": 1,
                       "amount": stored_value + other}],
            "tenders": tenders, **overrides}


async def purchase(client: httpx.AsyncClient, member: str, stored_value: int, other: int = 0) -> dict:
    response = await client.post("/v1/purchases", headers=key(),
                                 json=purchase_body(member, stored_value, other))
    assert response.status_code == 201, response.text
    return response.json()


def granted(member: str, recharge_id: str, amount: int, **envelope: object) -> BonusGranted:
    return BonusGranted(member_id=member, grant_id=grant_id_for(recharge_id),
                        recharge_id=recharge_id, amount=amount, currency="CNY",
                        occurred_at="2026-11-23T12:00:00Z", **envelope)


async def deliver(runtime: ServiceRuntime, event) -> None:
    """Put a rewards event on the in-process bus, as rewards' relay would."""
    await runtime.transport.bus.append(runtime.topics.events("rewards"), event.member_id,
                                       tuple(to_kafka_headers(event)), event.to_json())


async def bonus_status(client: httpx.AsyncClient, recharge_id: str, wanted: str) -> dict:
    return await eventually(lambda: _recharge(client, recharge_id),
                            lambda body: body["bonus"]["status"] == wanted)


async def _recharge(client: httpx.AsyncClient, recharge_id: str) -> dict:
    return (await client.get(f"/v1/recharges/{recharge_id}")).json()


async def balance(client: httpx.AsyncClient, member: str) -> tuple[int, int]:
    body = (await client.get(f"/v1/wallets/{member}")).json()
    return body["principal"], body["bonus"]


async def books_are_right(runtime: ServiceRuntime) -> dict:
    async with runtime.engine.connect() as db:
        report = await verify_ledger(db)
    assert report["problems"] == [] and report["ok"], report
    return report


async def outbox_events(database_url: str, ce_type: str) -> list[dict]:
    """The outbox rows of one event type, headers parsed, in order."""
    rows = await fetch_all(database_url, "SELECT * FROM wallet.outbox WHERE ce_type = $1 "
                           "ORDER BY position", ce_type)
    return [{**dict(row), "headers": orjson.loads(row["headers"])} for row in rows]


async def published(database_url: str, event_class) -> list:
    return [decode(bytes(row["payload"]), list(row["headers"].items()))
            for row in await outbox_events(database_url, event_class.ce_type())]


OPS = ops_headers("ops:adjust", "ops:report", "ops:refund")
