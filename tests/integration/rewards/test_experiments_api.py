"""The experiments API on PostgreSQL: refused definitions (422, 404, 409), a repeated
definition answered with the stored one, the list, and stopping: a member whose first
eligible recharge comes after the stop is neither exposed nor treated by an arm."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.experiments import HOLDOUT
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, recharge
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
CONFIG, REPORT = ops_headers("ops:config"), ops_headers("ops:report")


def definition(experiment_id: str, **changes) -> dict:
    now = datetime.now(UTC)
    return {"experiment_id": experiment_id, "name": "Test", "subject_kind": "campaign",
            "subject_id": "double_week",
            "arms": [{"arm": "triple", "weight_bps": 5_000, "bonus_bps": 30_000},
                     {"arm": HOLDOUT, "weight_bps": 5_000}],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(), **changes}


async def exposed(url: str, experiment_id: str) -> list[str]:
    rows = await fetch_all(url, "SELECT member_id FROM rewards.experiment_exposures "
                                "WHERE experiment_id = $1 ORDER BY member_id", experiment_id)
    return [row["member_id"] for row in rows]


async def test_definitions_refused_repeated_listed_and_stopped(bus_platform):
    url = bus_platform.database_url
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        missing = await client.post("/v1/experiments", headers=CONFIG, json=definition("e1"))
        created = await client.post("/v1/offers/double_week/versions", headers=CONFIG, json={
            "kind": "campaign", "name": "Double", "currency": "CNY",
            "terms": {"bonus_bps": 20_000}})
        assert created.status_code == 201, created.text
        body = definition("e1")
        first = await client.post("/v1/experiments", headers=CONFIG, json=body)
        again = await client.post("/v1/experiments", headers=CONFIG, json=body)
        moved = await client.post("/v1/experiments", headers=CONFIG, json={
            **body, "ends_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()})
        short = await client.post("/v1/experiments", headers=CONFIG, json=definition(
            "e2", arms=[{"arm": "triple", "weight_bps": 5_000}, {"arm": HOLDOUT, "weight_bps": 4_000}]))
        reversed_window = await client.post("/v1/experiments", headers=CONFIG, json=definition(
            "e3", ends_at=(datetime.now(UTC) - timedelta(days=1)).isoformat()))
        by_report = await client.post("/v1/experiments", headers=REPORT, json=definition("e4"))
        unknown = await client.get("/v1/experiments/nope/report", headers=REPORT)

        before = recharge("m_before", 50_000)
        await apply(rewards, before)
        stopped = await client.post("/v1/experiments/e1/stop", headers=CONFIG)
        stopped_again = await client.post("/v1/experiments/e1/stop", headers=CONFIG)
        after = recharge("m_after", 50_000)
        await apply(rewards, after)
        listed = (await client.get("/v1/experiments?limit=1", headers=REPORT)).json()
        report = (await client.get("/v1/experiments/e1/report", headers=REPORT)).json()
        [after_bonus] = await fetch_all(url, "SELECT rules FROM rewards.bonus_decisions "
                                             "WHERE recharge_id = $1", after.recharge_id)

    assert (missing.status_code, missing.json()["code"]) == (404, "campaign_not_found")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (moved.status_code, moved.json()["code"]) == (409, "experiment_defined")
    assert (short.status_code, short.json()["code"]) == (422, "invalid_experiment_arms")
    assert reversed_window.json()["code"] == "invalid_experiment_window"
    assert by_report.status_code == 403
    assert (unknown.status_code, unknown.json()["code"]) == (404, "experiment_not_found")
    assert stopped.status_code == 200 and stopped.json()["stopped_at"] is not None
    assert stopped_again.json()["stopped_at"] == stopped.json()["stopped_at"]
    assert [item["experiment_id"] for item in listed["items"]] == ["e1"]
    assert await exposed(url, "e1") == ["m_before"]
    # after the stop the campaign is as defined for everyone: no arm removes or changes it
    assert "double_week" in [rule["offer_id"] for rule in json.loads(after_bonus["rules"])]
    assert sum(arm["exposed"] for arm in report["arms"]) == 1
