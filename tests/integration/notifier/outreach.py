"""Events the notifier reacts to, ways to hand them to it, and what it wrote."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import orjson

from shared.events.cloudevents import to_kafka_headers
from shared.events.envelope import Event
from shared.events.rewards import CouponIssued
from shared.events.tiering import MembershipExpiring, RenewalQuote
from shared.events.wallet import RechargeCompleted
from shared.messaging.in_process_bus import InProcessBus
from shared.topics import Topics
from tests.support.auth import member_headers
from tests.support.runtime import eventually, fetch_all


def expiring(member_id: str, at: datetime, days_left: int = 7) -> MembershipExpiring:
    return MembershipExpiring(
        member_id=member_id, occurred_at=at, term_id=f"t-{uuid.uuid4().hex[:8]}",
        term_end=at + timedelta(days=days_left), days_left=days_left,
        renewal_quote=(RenewalQuote(years=1, price=32_400, currency="CNY"),
                       RenewalQuote(years=2, price=57_600, currency="CNY")))


def recharge(member_id: str, amount: int, at: datetime) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=at, member_id=member_id, recharge_id=f"r-{uuid.uuid4().hex[:10]}",
        amount=amount, currency="CNY", payment_method="cash", payment_reference="x",
        store_id="store_1", terminal_id="pos_1", channel="pos", is_first_recharge=False,
        lifetime_recharged=amount)


def coupon(member_id: str, at: datetime) -> CouponIssued:
    return CouponIssued(
        occurred_at=at, member_id=member_id, coupon_id=f"c-{uuid.uuid4().hex[:8]}",
        code=uuid.uuid4().hex[:8].upper(), template_id="spring", kind="amount_off", value=2_000,
        currency="CNY", min_spend=10_000, valid_from=at, valid_until=at + timedelta(days=30),
        reason="spring campaign")


def as_record(event: Event) -> tuple[str, bytes, list]:
    return event.member_id, event.to_json(), list(to_kafka_headers(event))


async def deliver(bus: InProcessBus, topics: Topics, *events: Event) -> None:
    for event in events:
        await bus.append(topics.events(event.producer_name), event.member_id,
                         tuple(to_kafka_headers(event)), event.to_json())


async def applied(database_url: str, count: int) -> None:
    # the outreach consumer's claims only: the webhook consumer claims every event as well
    await eventually(lambda: fetch_all(database_url,
                                       "SELECT 1 FROM notifier.inbox WHERE consumer = 'notifier'"),
                     lambda rows: len(rows) >= count)


async def set_contact(client: httpx.AsyncClient, member_id: str, **fields: object) -> None:
    response = await client.patch(f"/v1/members/{member_id}/contact", json=fields,
                                  headers=member_headers(member_id))
    assert response.status_code == 200, response.text


async def consent(client: httpx.AsyncClient, member_id: str, channel: str, category: str,
                  granted: bool = True) -> None:
    response = await client.put(f"/v1/members/{member_id}/consents/{channel}/{category}",
                                json={"granted": granted}, headers=member_headers(member_id))
    assert response.status_code == 200, response.text


async def messages(database_url: str, member_id: str) -> list[dict]:
    rows = await fetch_all(database_url, "SELECT * FROM notifier.notifications "
                           "WHERE member_id = $1 ORDER BY created_at, kind", member_id)
    return [{**row, "facts": orjson.loads(row["facts"])} for row in rows]


async def notifier_events(database_url: str, event_type: str) -> list[dict]:
    rows = await fetch_all(database_url, "SELECT payload FROM notifier.outbox WHERE ce_type = $1 "
                           "ORDER BY position", f"patronage.notifier.{event_type}.v1")
    return [orjson.loads(row["payload"]) for row in rows]
