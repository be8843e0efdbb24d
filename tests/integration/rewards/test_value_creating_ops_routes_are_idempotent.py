"""Points awards and coupon issues create value: a retried request (same Idempotency-Key)
must not pay twice, and a request without a key is refused before anything is written.
Before, each retry of `POST /v1/members/{id}/points/awards` credited the points again."""

from __future__ import annotations

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.transport import BusTransport
from tests.integration.rewards.feed import api
from tests.support.auth import ops_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
CONFIG, REPORT = ops_headers("ops:config"), ops_headers("ops:report")


async def test_a_retried_award_or_coupon_issue_pays_once_and_a_keyless_one_is_refused(bus_platform):
    award = {"points": 200, "task": "survey"}
    issue = {"member_id": "m_task", "template_id": "save10_over100", "reason": "campaign"}
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        keyless_award = await client.post("/v1/members/m_task/points/awards", json=award,
                                          headers=CONFIG)
        keyless_issue = await client.post("/v1/coupons", json=issue, headers=CONFIG)
        awards = [await client.post("/v1/members/m_task/points/awards", json=award,
                                    headers={**CONFIG, "Idempotency-Key": "task-1"})
                  for _ in range(3)]
        issues = [await client.post("/v1/coupons", json=issue,
                                    headers={**CONFIG, "Idempotency-Key": "issue-1"})
                  for _ in range(3)]
        balance = (await client.get("/v1/members/m_task/points", headers=REPORT)).json()
        coupons = (await client.get("/v1/members/m_task/coupons", headers=REPORT)).json()

    assert (keyless_award.status_code, keyless_award.json()["code"]) == (
        400, "idempotency_key_missing")
    assert (keyless_issue.status_code, keyless_issue.json()["code"]) == (
        400, "idempotency_key_missing")
    assert [r.status_code for r in awards] == [201, 201, 201]
    assert awards[1].content == awards[0].content == awards[2].content
    assert balance["balance"] == 200
    assert [r.status_code for r in issues] == [201, 201, 201]
    assert len({r.json()["coupon_id"] for r in issues}) == 1
    assert len(coupons["items"]) == 1
