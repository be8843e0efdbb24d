"""Issue 16, bulk coupon issuance: a job issuing one coupon to each of a 50,000-member
segment completes exactly once although the service is stopped halfway (after one round)
and a batch is cut off uncommitted (a crash mid-batch) before the restart: 50,000 coupons,
one per member, progress reported by the API. And a listed issue through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupon_issue_jobs, coupons
from shared.transport import BusTransport
from tests.integration.rewards.feed import api
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
MEMBERS = 50_000


class CrashMidBatch(Exception):
    pass


async def seed_dormant_members(database_url: str, count: int) -> None:
    """`count` members whose only activity was a purchase 200 days ago (the dormant segment),
    plus one who bought something then and again yesterday (not in it)."""
    long_ago = datetime.now(UTC) - timedelta(days=200)
    await fetch_all(database_url, """
        INSERT INTO rewards.member_activity (kind, source_id, member_id, amount, occurred_at)
        SELECT 'purchase', 'seed-' || n, 'm_bulk_' || lpad(n::text, 6, '0'), 10000, $1
        FROM generate_series(1, $2) AS n
    """, long_ago, count)
    await fetch_all(database_url, "INSERT INTO rewards.member_activity (kind, source_id, "
                    "member_id, amount, occurred_at) VALUES ('purchase', 'seed-a1', 'm_active', "
                    "10000, $1), ('purchase', 'seed-a2', 'm_active', 10000, $2)",
                    long_ago, datetime.now(UTC) - timedelta(days=1))


def settings(every_seconds: float) -> RewardsSettings:
    return RewardsSettings(coupon_issue_every_seconds=every_seconds, coupon_issue_batch=1_000,
                           coupon_issue_batches_per_round=20)


async def test_a_50000_member_segment_issue_completes_once_across_a_stop_and_a_crash(bus_platform):
    url = bus_platform.database_url
    await seed_dormant_members(url, MEMBERS)
    # one round (20 batches of 1,000) at start, the next not for ten minutes: stopped halfway
    async with running(REWARDS, bus_platform, BusTransport(), settings=settings(600)) as rewards:
        async with api(rewards) as ops:
            made = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "bulk-1"},
                                  json={"template_id": "save10_over100", "segment": "dormant"})
        assert made.status_code == 201, made.text
        job_id = made.json()["job_id"]
        assert made.json()["total"] == MEMBERS
        # the round that ran at start found no job yet; this one is what a tick would do
        [job] = [j for j in rewards.jobs if getattr(j, "name", "") == "coupon_issues"]
        await job.run_once()
        async with api(rewards) as ops:
            halfway = (await ops.get(f"/v1/coupon-issues/{job_id}", headers=CONFIG)).json()
        # a crash mid-batch: the next 1,000 written, then the transaction never commits
        with pytest.raises(CrashMidBatch):
            async with rewards.context.uow() as uow:
                template = await coupons.template(uow.connection, "save10_over100")
                assert await coupon_issue_jobs.issue_batch(uow, uuid.UUID(job_id), 1_000, template) == 1_000
                raise CrashMidBatch()

    async with running(REWARDS, bus_platform, BusTransport(), settings=settings(0.05)) as rewards:
        async with api(rewards) as ops:
            async def progress() -> dict:
                return (await ops.get(f"/v1/coupon-issues/{job_id}", headers=CONFIG)).json()

            done = await eventually(progress, lambda p: p["status"] == "done", timeout=300)

    [issued] = await fetch_all(url, "SELECT count(*) AS coupons, count(DISTINCT member_id) AS members, "
                               "count(*) FILTER (WHERE member_id = 'm_active') AS active "
                               "FROM rewards.coupons WHERE reason = $1", f"bulk:{job_id}")
    [unissued] = await fetch_all(url, "SELECT count(*) AS n FROM rewards.coupon_issue_members "
                                 "WHERE job_id = $1 AND coupon_id IS NULL", uuid.UUID(job_id))
    assert (halfway["status"], halfway["issued"], halfway["total"]) == ("running", 20_000, MEMBERS)
    assert (done["issued"], done["total"]) == (MEMBERS, MEMBERS)
    assert (issued["coupons"], issued["members"], issued["active"]) == (MEMBERS, MEMBERS, 0)
    assert unissued["n"] == 0


async def test_a_listed_issue_gives_each_member_one_coupon_and_refuses_bad_requests(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport(), settings=settings(0.05)) as rewards, \
            api(rewards) as ops:
        made = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "list-1"},
                              json={"template_id": "save10_over100",
                                    "member_ids": ["m_a", "m_b", "m_a", "m_c"]})
        again = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "list-1"},
                               json={"template_id": "save10_over100",
                                     "member_ids": ["m_a", "m_b", "m_a", "m_c"]})
        job_id = made.json()["job_id"]
        done = await eventually(
            lambda: ops.get(f"/v1/coupon-issues/{job_id}", headers=CONFIG),
            lambda r: r.json()["status"] == "done")
        both = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "bad-1"},
                              json={"template_id": "save10_over100", "segment": "new",
                                    "member_ids": ["m_a"]})
        unknown = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "bad-2"},
                                 json={"template_id": "no_such", "segment": "new"})
        missing = await ops.get(f"/v1/coupon-issues/{uuid.uuid4()}", headers=CONFIG)
        member_reads = await ops.get(f"/v1/coupon-issues/{job_id}", headers=ops_headers("ops:report"))

    assert made.status_code == 201 and again.json()["job_id"] == job_id
    assert (done.json()["total"], done.json()["issued"]) == (3, 3)
    rows = await fetch_all(bus_platform.database_url, "SELECT member_id FROM rewards.coupons "
                           "WHERE reason = $1 ORDER BY member_id", f"bulk:{job_id}")
    assert [r["member_id"] for r in rows] == ["m_a", "m_b", "m_c"]
    assert (both.status_code, both.json()["code"]) == (422, "invalid_request")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "template_not_found")
    assert (missing.status_code, missing.json()["code"]) == (404, "coupon_issue_not_found")
    assert member_reads.status_code == 403
