"""What rewards' integration tests share: wallet-shaped events to feed it, a way to put them
on Kafka, and a way to read back what rewards decided."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx

from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.envelope import Event
from shared.events.wallet import PurchaseCompleted, PurchaseRefunded, RechargeCompleted
from shared.messaging.kafka_transport import ensure_topics
from shared.runtime import ServiceRuntime
from shared.service import bind_settings
from shared.topics import Topics
from tests.support.runtime import produce_raw, read_topic


def recharge(member_id: str, amount: int = 50_000, *, first: bool = False, lifetime: int | None = None,
             reference: str | None = None, terminal: str = "pos_1") -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=datetime.now(UTC), member_id=member_id, recharge_id=f"r-{uuid.uuid4().hex[:12]}",
        amount=amount, currency="CNY", payment_method="wechat_pay",
        payment_reference=reference or f"wx-{uuid.uuid4().hex[:10]}", store_id="store_1",
        terminal_id=terminal, channel="pos", is_first_recharge=first,
        lifetime_recharged=lifetime if lifetime is not None else amount + 100_000)


def purchase(member_id: str, total: int = 12_345, coupon_codes: tuple[str, ...] = ()) -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=datetime.now(UTC), member_id=member_id, purchase_id=f"p-{uuid.uuid4().hex[:12]}",
        order_reference=uuid.uuid4().hex[:10], total=total, currency="CNY", paid_principal=total,
        paid_bonus=0, paid_other=0, store_id="store_1", terminal_id="pos_1", channel="pos",
        coupon_codes=coupon_codes)


def refund(of: PurchaseCompleted, amount: int) -> PurchaseRefunded:
    return PurchaseRefunded(
        occurred_at=datetime.now(UTC), member_id=of.member_id, refund_id=f"f-{uuid.uuid4().hex[:12]}",
        purchase_id=of.purchase_id, amount=amount, currency="CNY", returned_principal=amount,
        returned_bonus=0)


async def publish_wallet_events(bootstrap: str, topics: Topics, *events: Event) -> None:
    await ensure_topics(bootstrap, [topics.events("wallet")])
    await produce_raw(bootstrap, topics.events("wallet"),
                      [(e.member_id, e.to_json(), list(to_kafka_headers(e))) for e in events])


async def rewards_events(bootstrap: str, topics: Topics, count: int, timeout: float = 30.0
                         ) -> list[Event]:
    records = await read_topic(bootstrap, topics.events("rewards"), count, timeout=timeout)
    return [decode(r.value, r.headers) for r in records]


async def apply(runtime: ServiceRuntime, event: Event) -> None:
    """Run rewards' handlers for one event in one transaction, as the consumer would."""
    async with runtime.context.uow() as uow:
        for handler in bind_settings(runtime.spec.handlers, runtime.context.settings)[type(event)]:
            await handler(event, uow)


@asynccontextmanager
async def api(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                 base_url="http://rewards") as client:
        yield client
