"""Tiering keeps the birthday and announces the day: MemberEnrolled carries no birthday,
the scheduler emits one MemberBirthday per member and year on the merchant's local day
(29 February on the 28th in a common year), in batches, only on the leader; on real Kafka
the notifier greets and rewards gives the coupon, and neither ever sees the birth date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from services.notifier.service import SPEC as NOTIFIER
from services.rewards.service import SPEC as REWARDS
from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.clock import FrozenClock
from shared.jobs import job_lock_key
from shared.transport import KafkaTransport
from tests.integration.tiering.wallet_events import tiering_events
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
# 17:00 UTC on 27 February is 01:00 on 28 February in Shanghai, the merchant's zone.
FEB_28_LOCAL = datetime(2027, 2, 27, 17, tzinfo=UTC)


async def enrol(client: httpx.AsyncClient, member_id: str, birthday: str | None) -> None:
    response = await client.post("/v1/members", json={"member_id": member_id, "birthday": birthday},
                                 headers=pos_headers())
    assert response.status_code == 201, response.text


async def test_each_birthday_is_announced_once_a_year_on_the_merchants_day(tiering, client,
                                                                          bus_platform):
    for member, birthday in [("m_feb28", "02-28"), ("m_leap", "02-29"), ("m_mar1", "03-01"),
                             ("m_none", None), *((f"m_b{n}", "02-28") for n in range(5))]:
        await enrol(client, member, birthday)
    [enrolment, *_] = await tiering_events(bus_platform.database_url, "MemberEnrolled")
    assert enrolment["birthday"] is None

    small = TieringScheduler(tiering.context, TieringSettings(scheduler_batch_size=2))
    assert (await small.run_once(FEB_28_LOCAL - timedelta(hours=2))).birthdays == 0  # the 27th
    assert (await small.run_once(FEB_28_LOCAL)).birthdays == 7
    assert (await small.run_once(FEB_28_LOCAL + timedelta(hours=12))).birthdays == 0
    assert (await small.run_once(FEB_28_LOCAL + timedelta(days=1))).birthdays == 1  # m_mar1
    assert (await small.run_once(FEB_28_LOCAL + timedelta(days=365))).birthdays == 6  # 2028

    announced = await tiering_events(bus_platform.database_url, "MemberBirthday")
    on_the_28th = {e["member_id"] for e in announced if e["celebrated_on"] == "2027-02-28"}
    assert on_the_28th == {"m_feb28", "m_leap", *(f"m_b{n}" for n in range(5))}
    assert [e["member_id"] for e in announced if e["celebrated_on"] == "2027-03-01"] == ["m_mar1"]
    assert all(set(e) >= {"member_id", "celebrated_on"} and "birthday" not in e
               for e in announced)


async def test_a_replica_that_is_not_the_leader_announces_nobody(tiering, client, bus_platform):
    await enrol(client, "m_locked", "02-28")
    async with tiering.context.engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:k)"),
                            {"k": job_lock_key("tiering.birthdays")})
        assert (await TieringScheduler(tiering.context).run_once(FEB_28_LOCAL)).birthdays == 0
        await other.execute(text("SELECT pg_advisory_unlock(:k)"),
                            {"k": job_lock_key("tiering.birthdays")})
    assert (await TieringScheduler(tiering.context).run_once(FEB_28_LOCAL)).birthdays == 1


async def test_on_kafka_the_notifier_greets_and_rewards_gives_the_coupon(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    clock = FrozenClock(FEB_28_LOCAL + timedelta(hours=1))  # 10:00 local: not quiet hours
    quiet_scheduler = TieringSettings(scheduler_interval_seconds=3600)
    async with running(TIERING, platform, transport, clock=clock,
                       settings=quiet_scheduler) as tiering, \
            running(NOTIFIER, platform, transport, clock=clock), \
            running(REWARDS, platform, transport, clock=clock):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                     base_url="http://tiering") as client:
            await enrol(client, "m_party", "02-28")
        assert (await TieringScheduler(tiering.context).run_once(clock.now())).birthdays == 1
        greetings = await eventually(lambda: fetch_all(
            platform.database_url, "SELECT dedup_key FROM notifier.notifications "
            "WHERE member_id = 'm_party' AND kind = 'birthday_greeting'"), lambda rows: rows)
        coupons = await eventually(lambda: fetch_all(
            platform.database_url, "SELECT reason FROM rewards.coupons "
            "WHERE member_id = 'm_party'"), lambda rows: rows)
    assert [g["dedup_key"] for g in greetings] == ["birthday_greeting:m_party:2027"]
    assert [c["reason"] for c in coupons] == [f"birthday:{date(2027, 2, 28).year}"]
