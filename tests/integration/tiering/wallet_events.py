"""Wallet events as tiering sees them, and ways to deliver them (bus or Kafka record)."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson

from shared.events.cloudevents import to_kafka_headers
from shared.events.envelope import Event
from shared.events.wallet import PurchaseCompleted, PurchaseItem, PurchaseRefunded, RechargeCompleted
from shared.messaging.in_process_bus import InProcessBus
from shared.topics import Topics
from tests.support.runtime import fetch_all


def purchase(member_id: str, total: int, at: datetime, *items: PurchaseItem,
             purchase_id: str | None = None) -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=at, member_id=member_id, purchase_id=purchase_id or f"p-{uuid.uuid4().hex[:10]}",
        order_reference=uuid.uuid4().hex[:12], total=total, currency="CNY", paid_principal=total,
        paid_bonus=0, paid_other=0, items=items, store_id="store_1", terminal_id="pos_1",
        channel="pos")


def renewal(member_id: str, years: int, price: int, at: datetime, **options) -> PurchaseCompleted:
    """A renewal as the wallet publishes it: bought against a quote (the wallet checked it)."""
    item = PurchaseItem(sku=f"membership-{years}y", category="membership", quantity=1, amount=price,
                        quote_id=f"q-{uuid.uuid4().hex}")
    return purchase(member_id, price, at, item, **options)


def refund(bought: PurchaseCompleted, amount: int, at: datetime) -> PurchaseRefunded:
    return PurchaseRefunded(
        occurred_at=at, member_id=bought.member_id, refund_id=f"rf-{uuid.uuid4().hex[:10]}",
        purchase_id=bought.purchase_id, amount=amount, currency="CNY",
        returned_principal=amount, returned_bonus=0)


def recharge(member_id: str, amount: int, at: datetime, lifetime: int) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=at, member_id=member_id, recharge_id=f"r-{uuid.uuid4().hex[:10]}",
        amount=amount, currency="CNY", payment_method="cash", payment_reference="x",
        store_id="store_1", terminal_id="pos_1", channel="pos", is_first_recharge=False,
        lifetime_recharged=lifetime)


def as_record(event: Event) -> tuple[str, bytes, list]:
    return event.member_id, event.to_json(), list(to_kafka_headers(event))


async def deliver(bus: InProcessBus, topics: Topics, *events: Event) -> None:
    for event in events:
        await bus.append(topics.events("wallet"), event.member_id,
                         tuple(to_kafka_headers(event)), event.to_json())


async def tiering_events(database_url: str, event_type: str, member_id: str | None = None) -> list[dict]:
    """Events tiering wrote to its outbox, in order."""
    rows = await fetch_all(database_url,
                           "SELECT key, payload FROM tiering.outbox WHERE ce_type = $1 ORDER BY position",
                           f"patronage.tiering.{event_type}.v1")
    return [orjson.loads(row["payload"]) for row in rows if member_id in (None, row["key"])]
