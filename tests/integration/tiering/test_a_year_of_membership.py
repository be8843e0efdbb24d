"""A member's year, on an injected clock: enrol, spend to gold, buy a membership, get the
30/7/1-day reminders exactly once each (two scheduler replicas running side by side, and a
restart in the middle), renew, and move down at the anniversary review after a quiet year.
A second member lets the membership lapse: one MembershipExpired, at the end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.clock import FrozenClock
from shared.topics import Topics
from shared.transport import BusTransport
from tests.integration.tiering.wallet_events import deliver, purchase, renewal, tiering_events
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration

START = datetime(2027, 1, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
# The scheduler loop of the runtime is left idle: the test drives the replicas itself.
SETTINGS = TieringSettings(scheduler_interval_seconds=3600)


def day(n: int, hour: int = 9) -> datetime:
    return START + n * DAY + timedelta(hours=hour - 9)


async def applied(database_url: str, count: int) -> None:
    await eventually(lambda: fetch_all(database_url, "SELECT 1 FROM tiering.inbox"),
                     lambda rows: len(rows) == count)


async def run_replicas(replicas: list[TieringScheduler], now: datetime) -> None:
    await asyncio.gather(*(replica.run_once(now) for replica in replicas))


async def enroll(runtime, member_id: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                 base_url="http://tiering", headers=pos_headers()) as client:
        response = await client.post("/v1/members", json={"member_id": member_id, "locale": "zh-CN"})
    assert response.status_code == 201, response.text


async def test_a_member_through_a_year(bus_platform):
    clock, transport = FrozenClock(START), BusTransport()
    topics, db = Topics(bus_platform.topic_prefix), bus_platform.database_url

    async with running(TIERING, bus_platform, transport, clock=clock, settings=SETTINGS) as tiering:
        await enroll(tiering, "m_year")
        await enroll(tiering, "m_lapse")
        clock.set(day(10))
        await deliver(transport.bus, topics, purchase("m_year", 1_200_000, day(10)))
        await applied(db, 1)
        clock.set(day(20))
        await deliver(transport.bus, topics, purchase("m_year", 900_000, day(20)),
                      renewal("m_year", 1, 32_400, day(20)))
        await applied(db, 3)
        clock.set(day(40))
        await deliver(transport.bus, topics, renewal("m_lapse", 1, 32_400, day(40)))
        await applied(db, 4)

        replicas = [TieringScheduler(tiering.context), TieringScheduler(tiering.context)]
        for n in range(20, 345, 15):  # nothing is due for most of the year
            await run_replicas(replicas, day(n))
        assert await tiering_events(db, "MembershipExpiring") == []

        for n in range(345, 379):  # 2027-12-12 .. 2028-01-14, twice a day
            for hour in (9, 21):
                clock.set(day(n, hour))
                await run_replicas(replicas, day(n, hour))

    async with running(TIERING, bus_platform, transport, clock=clock, settings=SETTINGS) as tiering:
        replicas = [TieringScheduler(tiering.context), TieringScheduler(tiering.context)]
        for n in range(379, 386):  # after the restart: 2028-01-15 .. 2028-01-21
            for hour in (9, 21):
                clock.set(day(n, hour))
                await run_replicas(replicas, day(n, hour))
                if (n, hour) == (384, 9):  # the last reminder has gone: renew, a day early
                    await deliver(transport.bus, topics,
                                  renewal("m_year", 1, 32_400, day(384, 18)))
                    await applied(db, 5)

        for n in range(386, 407):  # the review falls on 2028-01-31 (anniversary + 30 days)
            for hour in (9, 21):
                clock.set(day(n, hour))
                await run_replicas(replicas, day(n, hour))
                if (n, hour) == (394, 21):
                    assert [e["direction"] for e in await tiering_events(db, "TierChanged")] == ["up", "up"]

    changes = await tiering_events(db, "TierChanged", "m_year")
    assert [(c["from_tier"], c["to_tier"], c["direction"]) for c in changes] == [
        ("regular", "silver", "up"), ("silver", "gold", "up"), ("gold", "regular", "down")]
    assert changes[1]["qualifying_amount"] == 2_100_000
    assert changes[2]["effective_at"] == "2028-01-31T09:00:00Z"
    assert "anniversary review" in changes[2]["reason"] and changes[2]["qualifying_amount"] == 0

    [first, second] = await tiering_events(db, "MembershipRenewed", "m_year")
    assert (first["term_start"], first["term_end"]) == ("2027-01-21T09:00:00Z", "2028-01-21T09:00:00Z")
    assert (second["term_start"], second["term_end"]) == ("2028-01-21T09:00:00Z", "2029-01-21T09:00:00Z")

    reminders = await tiering_events(db, "MembershipExpiring", "m_year")
    assert [(r["term_id"], r["days_left"]) for r in reminders] == [
        (first["term_id"], 30), (first["term_id"], 7), (first["term_id"], 1)]
    assert [r["occurred_at"] for r in reminders] == [
        "2027-12-22T09:00:00Z", "2028-01-14T09:00:00Z", "2028-01-20T09:00:00Z"]
    # 21,000 spent in the last 12 months: segment core (40 %) x first renewal (10 %) x length.
    assert {q["years"]: q["price"] for q in reminders[0]["renewal_quote"]} == {1: 17_496, 2: 31_104}
    assert [(c["kind"], c["bps"]) for c in reminders[0]["renewal_quote"][1]["components"]] == [
        ("segment", 4000), ("first_renewal", 1000), ("length", 2000)]
    assert await tiering_events(db, "MembershipExpired", "m_year") == []

    lapsed = await tiering_events(db, "MembershipExpiring", "m_lapse")
    assert [r["days_left"] for r in lapsed] == [30, 7, 1]
    assert {q["years"]: q["price"] for q in lapsed[0]["renewal_quote"]} == {1: 23_328, 2: 41_472}
    [expired] = await tiering_events(db, "MembershipExpired", "m_lapse")
    assert (expired["term_end"], expired["occurred_at"]) == ("2028-02-10T09:00:00Z", "2028-02-10T09:00:00Z")
    assert expired["grace_until"] == "2028-02-25T09:00:00Z"
