"""The scheduler's guarantees beyond a single member: keyset batches over many terms, a
missed reminder point not sent late, a busy replica leaving the work to the leader, and
the scheduler running by itself as a background job of the service runtime."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.clock import FrozenClock
from shared.jobs import job_lock_key
from shared.topics import Topics
from shared.transport import BusTransport
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import deliver, refund, renewal, tiering_events
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
DAY = timedelta(days=1)


async def buy_memberships(transport, platform, members: list[str]) -> None:
    await deliver(transport.bus, Topics(platform.topic_prefix),
                  *(renewal(m, 1, 32_400, START + n * timedelta(minutes=1)) for n, m in enumerate(members)))
    await eventually(lambda: fetch_all(platform.database_url, "SELECT 1 FROM tiering.membership_terms"),
                     lambda rows: len(rows) == len(members))


async def test_many_terms_are_worked_through_in_small_batches_once_each(tiering, transport, bus_platform):
    members = [f"m_batch_{n:02d}" for n in range(11)]
    await buy_memberships(transport, bus_platform, members)
    small = TieringScheduler(tiering.context, TieringSettings(scheduler_batch_size=3))
    end = START + 366 * DAY  # 2028 is a leap year: the terms end on 2028-03-01 09:00..09:10
    first = await small.run_once(end - 30 * DAY + timedelta(minutes=30))
    again = await small.run_once(end - 30 * DAY + timedelta(minutes=31))
    assert (first.reminders, again.reminders) == (11, 0)
    expired = await small.run_once(end + timedelta(hours=1))
    assert expired.expiries == 11
    assert len(await tiering_events(bus_platform.database_url, "MembershipExpiring")) == 11
    assert len(await tiering_events(bus_platform.database_url, "MembershipExpired")) == 11
    left = await fetch_all(bus_platform.database_url,
                           "SELECT 1 FROM tiering.membership_terms WHERE next_due_at IS NOT NULL")
    assert left == []


async def test_a_reminder_point_missed_while_down_is_recorded_not_sent_late(tiering, transport, bus_platform):
    await buy_memberships(transport, bus_platform, ["m_down"])
    end = START + 366 * DAY
    await TieringScheduler(tiering.context).run_once(end - 3 * DAY)  # 30 and 7 were both missed
    [reminder] = await tiering_events(bus_platform.database_url, "MembershipExpiring")
    assert reminder["days_left"] == 3
    rows = await fetch_all(bus_platform.database_url,
                           "SELECT offset_days, emitted FROM tiering.reminders_sent ORDER BY offset_days")
    assert [(r["offset_days"], r["emitted"]) for r in rows] == [(7, True), (30, False)]


async def test_a_term_back_on_schedule_after_a_revoked_renewal_repeats_no_reminder(
        tiering, transport, bus_platform):
    await buy_memberships(transport, bus_platform, ["m_back"])
    end = START + 366 * DAY
    scheduler = TieringScheduler(tiering.context)
    assert (await scheduler.run_once(end - 30 * DAY)).reminders == 1
    renewed = renewal("m_back", 1, 32_400, end - 20 * DAY)
    topics = Topics(bus_platform.topic_prefix)
    await deliver(transport.bus, topics, renewed, refund(renewed, 32_400, end - 19 * DAY))
    await eventually(lambda: fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.inbox"),
                     lambda rows: len(rows) == 3)
    assert (await scheduler.run_once(end - 19 * DAY)).reminders == 0  # 30 days: sent already
    assert (await scheduler.run_once(end - 7 * DAY)).reminders == 1
    reminders = await tiering_events(bus_platform.database_url, "MembershipExpiring")
    assert [r["days_left"] for r in reminders] == [30, 7]


async def test_only_one_replica_leads_at_a_time(tiering, transport, bus_platform):
    await buy_memberships(transport, bus_platform, ["m_lead"])
    async with tiering.engine.connect() as holder:  # another replica in the middle of a batch
        await holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": job_lock_key("tiering.expiry")})
        idle = await TieringScheduler(tiering.context).run_once(START + 336 * DAY)
        await holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": job_lock_key("tiering.expiry")})
    assert idle.reminders == 0
    assert (await TieringScheduler(tiering.context).run_once(START + 336 * DAY)).reminders == 1


async def test_the_runtime_runs_the_scheduler_in_the_background(bus_platform):
    clock, transport = FrozenClock(START), BusTransport()
    settings = TieringSettings(scheduler_interval_seconds=0.05)
    async with running(TIERING, bus_platform, transport, clock=clock, settings=settings):
        await buy_memberships(transport, bus_platform, ["m_bg"])
        clock.set(START + 337 * DAY)
        await eventually(lambda: tiering_events(bus_platform.database_url, "MembershipExpiring"),
                         lambda events: len(events) == 1)
        await asyncio.sleep(0.2)  # several more ticks at the same moment send nothing more
    assert len(await tiering_events(bus_platform.database_url, "MembershipExpiring")) == 1
