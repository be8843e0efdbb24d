"""A renewal-price experiment across services, on Kafka and PostgreSQL: rewards defines it,
tiering applies each member's arm to the renewal quotes it shows (the holdout at the
standard price) and logs one exposure per member however often they ask, and rewards,
from tiering's exposures, holds the very same arms; renewals after exposure are the
conversions its report counts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.tiering import MembershipRenewed, TieringExperimentExposed
from shared.experiments import HOLDOUT, Arm, assign
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration
EXPERIMENT = "renewal_20_off"
ARMS = (Arm("twenty_off", 5_000, {"price_bps": 2_000}), Arm(HOLDOUT, 5_000))
MEMBERS = [f"m_rp_{n}" for n in range(12)]


def app_of(runtime, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                             base_url=f"http://{name}")


async def one_year_price(client, member_id: str) -> dict:
    shown = await client.get(f"/v1/members/{member_id}/renewal-quotes",
                             headers=member_headers(member_id))
    assert shown.status_code == 200, shown.text
    return next(q for q in shown.json()["quotes"] if q["years"] == 1)


async def arms_in(url: str, schema: str) -> dict[str, str]:
    rows = await fetch_all(url, f"SELECT member_id, arm FROM {schema}.experiment_exposures "
                                "WHERE experiment_id = $1", EXPERIMENT)
    return {row["member_id"]: row["arm"] for row in rows}


def renewed(member_id: str) -> MembershipRenewed:
    now = datetime.now(UTC)
    return MembershipRenewed(occurred_at=now, member_id=member_id, term_id=f"t-{uuid.uuid4().hex[:8]}",
                             term_start=now, term_end=now + timedelta(days=365), years=1,
                             price=28_800, currency="CNY", purchase_id=f"p-{uuid.uuid4().hex[:8]}")


async def test_tiering_prices_by_the_arm_rewards_defined_and_both_hold_the_same_arms(platform, kafka):
    topics, bootstrap, url = Topics(platform.topic_prefix), kafka.bootstrap_servers, platform.database_url
    arm_of = {member: assign(EXPERIMENT, member, ARMS).name for member in MEMBERS}
    assert {list(arm_of.values()).count(arm) >= 2 for arm in ("twenty_off", HOLDOUT)} == {True}
    transport = KafkaTransport(bootstrap)
    async with running(REWARDS, platform, transport) as rewards, \
            running(TIERING, platform, KafkaTransport(bootstrap)) as tiering:
        async with api(rewards) as ops, app_of(tiering, "tiering") as till:
            for member in ["m_rp_baseline", *MEMBERS]:
                enrolled = await till.post("/v1/members", headers=pos_headers(),
                                           json={"member_id": member})
                assert enrolled.status_code == 201, enrolled.text
            baseline = await one_year_price(till, "m_rp_baseline")  # before any experiment
            now = datetime.now(UTC)
            defined = await ops.post("/v1/experiments", headers=ops_headers("ops:config"), json={
                "experiment_id": EXPERIMENT, "name": "20 % off the renewal?",
                "subject_kind": "renewal_price", "subject_id": "membership",
                "arms": [{"arm": "twenty_off", "weight_bps": 5_000, "price_bps": 2_000},
                         {"arm": HOLDOUT, "weight_bps": 5_000}],
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": (now + timedelta(days=30)).isoformat()})
            assert defined.status_code == 201, defined.text
            await eventually(lambda: fetch_all(url, "SELECT 1 FROM tiering.experiments"),
                             lambda rows: len(rows) == 1, timeout=60)
            shown = {m: [await one_year_price(till, m) for _ in range(2)] for m in MEMBERS}
            in_rewards = await eventually(lambda: arms_in(url, "rewards"),
                                          lambda found: len(found) == len(MEMBERS), timeout=60)
            converting = MEMBERS[::2]
            await ensure_topics(bootstrap, [topics.events("tiering")])
            renewals = [renewed(m) for m in converting]
            await produce_raw(bootstrap, topics.events("tiering"), [
                (e.member_id, e.to_json(), list(to_kafka_headers(e))) for e in [*renewals, *renewals]])
            await eventually(
                lambda: fetch_all(url, "SELECT 1 FROM rewards.experiment_outcomes "
                                       "WHERE experiment_id = $1 AND kind = 'renewal'", EXPERIMENT),
                lambda rows: len(rows) == len(converting), timeout=60)
            report = (await ops.get(f"/v1/experiments/{EXPERIMENT}/report",
                                    headers=ops_headers("ops:report"))).json()
        records = await read_topic(bootstrap, topics.events("tiering"), len(MEMBERS), timeout=60,
                                   distinct=lambda r: _exposure_of(r))

    in_tiering = await arms_in(url, "tiering")
    assert in_tiering == in_rewards == arm_of  # one function, the same arm in both services
    exposed = [e for e in (decode(r.value, r.headers) for r in records)
               if isinstance(e, TieringExperimentExposed)]
    assert sorted(e.member_id for e in exposed) == sorted(MEMBERS)  # once each, asked twice
    for member, (first, again) in shown.items():
        assert first["price"] == again["price"]
        if arm_of[member] == HOLDOUT:  # the standard price, as before the experiment
            assert first["price"] == baseline["price"]
            assert "experiment" not in [c["kind"] for c in first["components"]]
        else:
            assert {"kind": "experiment", "bps": 2_000} in first["components"]
            # 20 % off the rate per year (rounded down once; the floor is below it here)
            assert not first["floor_applied"]
            assert abs(first["price"] - baseline["price"] * 0.8) <= 1
    by_arm = {a["arm"]: a for a in report["arms"]}
    for arm in ("twenty_off", HOLDOUT):
        members = [m for m in MEMBERS if arm_of[m] == arm]
        assert by_arm[arm]["exposed"] == len(members)
        assert by_arm[arm]["conversion_rate"] == pytest.approx(
            sum(m in converting for m in members) / len(members))


def _exposure_of(record) -> object:
    event = decode(record.value, record.headers)
    return event.member_id if isinstance(event, TieringExperimentExposed) else MEMBERS[0]
