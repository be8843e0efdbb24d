"""An experiment with a holdout on a recharge campaign, end to end on Kafka and PostgreSQL:
every member's arm is the one shared/experiments.py computes, before and after a restart
of rewards; each member is exposed once (redelivered recharges add nothing, and neither
do later recharges); the report's figures and 95 % intervals match the ones computed here
from the members' raw rows and from the plan the test followed."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.rules.experiment_stats import Z_95, t_quantile_975
from services.rewards.service import SPEC as REWARDS
from shared.events.cloudevents import decode
from shared.events.rewards import (
    BonusGranted,
    BonusHeld,
    BonusRejected,
    ExperimentExposed,
    ExperimentPublished,
)
from shared.experiments import HOLDOUT, Arm, assign
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, publish_wallet_events, purchase, recharge
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
CONFIG, REPORT = ops_headers("ops:config"), ops_headers("ops:report")
EXPERIMENT = "exp_double_vs_triple"
ARMS = (Arm("triple", 4_000, {"bonus_bps": 30_000}), Arm("double", 3_000), Arm(HOLDOUT, 3_000))
# the ladder gives 1 000 on a recharge of 10 000 or more; the campaign adds (multiplier - 1) x
ADDITION = {"triple": 2_000, "double": 1_000, HOLDOUT: 0}
MEMBERS = [f"m_exp_{n}" for n in range(45)]


def later_revenue(n: int) -> int:
    """The plan after exposure: a third recharge again, a third buy, a third does nothing."""
    return (10_000 + 1_000 * n, 5_000 + 500 * n, 0)[n % 3]


def rewards_event_identity(record) -> tuple:
    event = decode(record.value, record.headers)
    if isinstance(event, ExperimentExposed):
        return ("exposed", event.member_id)
    if isinstance(event, BonusGranted | BonusHeld | BonusRejected):
        return ("bonus", event.recharge_id)
    return ("other",)  # ExperimentPublished first, then points for the purchases


async def setup_experiment(client) -> dict:
    for offer_id, kind, terms in (("ladder_cny", "ladder", {"rungs": [[10_000, 1_000]]}),
                                  ("double_week", "campaign", {"bonus_bps": 20_000})):
        created = await client.post(f"/v1/offers/{offer_id}/versions", headers=CONFIG, json={
            "kind": kind, "name": offer_id, "currency": "CNY", "terms": terms})
        assert created.status_code == 201, created.text
    now = datetime.now(UTC)
    defined = await client.post("/v1/experiments", headers=CONFIG, json={
        "experiment_id": EXPERIMENT, "name": "Triple or double?", "subject_kind": "campaign",
        "subject_id": "double_week",
        "arms": [{"arm": "triple", "weight_bps": 4_000, "bonus_bps": 30_000},
                 {"arm": "double", "weight_bps": 3_000}, {"arm": HOLDOUT, "weight_bps": 3_000}],
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat()})
    assert defined.status_code == 201, defined.text
    return defined.json()


async def exposures(url: str) -> dict[str, str]:
    rows = await fetch_all(url, "SELECT member_id, arm FROM rewards.experiment_exposures "
                                "WHERE experiment_id = $1", EXPERIMENT)
    return {row["member_id"]: row["arm"] for row in rows}


async def outcomes(url: str) -> dict[str, tuple[int, int, int]]:
    """Per exposed member, from the raw rows: revenue events, revenue, cost."""
    rows = await fetch_all(url, """
        SELECT e.member_id, count(o.source_id) FILTER (WHERE o.revenue > 0) AS events,
               coalesce(sum(o.revenue), 0) AS revenue, coalesce(sum(o.cost), 0) AS cost
        FROM rewards.experiment_exposures e
        LEFT JOIN rewards.experiment_outcomes o
               ON o.experiment_id = e.experiment_id AND o.member_id = e.member_id
        WHERE e.experiment_id = $1 GROUP BY e.member_id""", EXPERIMENT)
    return {r["member_id"]: (r["events"], int(r["revenue"]), int(r["cost"])) for r in rows}


async def test_an_experiment_with_a_holdout_on_kafka(platform, kafka):
    topics, bootstrap, url = Topics(platform.topic_prefix), kafka.bootstrap_servers, platform.database_url
    arm_of = {member: assign(EXPERIMENT, member, ARMS).name for member in MEMBERS}
    assert all(list(arm_of.values()).count(arm) >= 3 for arm in ADDITION)  # intervals need 2+

    async with running(REWARDS, platform, KafkaTransport(bootstrap)) as rewards:
        async with api(rewards) as client:
            defined = await setup_experiment(client)
            # after the offers took effect; a terminal each, so the velocity screen holds none
            exposing = [recharge(m, 50_000, terminal=f"pos_{n}") for n, m in enumerate(MEMBERS)]
            await publish_wallet_events(bootstrap, topics, *exposing)
            first = await eventually(lambda: exposures(url), lambda e: len(e) == len(MEMBERS),
                                     timeout=60)

    # after a restart: the same arms treat the members, and nobody is exposed again
    later = [recharge(m, later_revenue(n), terminal=f"pos_{n}") if n % 3 == 0
             else purchase(m, later_revenue(n)) for n, m in enumerate(MEMBERS) if n % 3 != 2]
    async with running(REWARDS, platform, KafkaTransport(bootstrap)) as rewards:
        async with api(rewards) as client:
            await publish_wallet_events(bootstrap, topics, *later, *exposing, *later)  # redelivered
            expected_events = sum(n % 3 != 2 for n in range(len(MEMBERS)))
            settled = await eventually(
                lambda: outcomes(url),
                lambda o: sum(events for events, _, _ in o.values()) == expected_events,
                timeout=60)
            records = await read_topic(
                bootstrap, topics.events("rewards"),
                1 + len(MEMBERS) + len(exposing) + sum(n % 3 == 0 for n in range(len(MEMBERS))),
                timeout=60, distinct=rewards_event_identity)
            restated = await client.post("/v1/experiments", headers=CONFIG, json={
                **{k: defined[k] for k in ("experiment_id", "name", "subject_kind",
                                           "subject_id")},
                "arms": [{"arm": "triple", "weight_bps": 5_000, "bonus_bps": 30_000},
                         {"arm": "double", "weight_bps": 2_000},
                         {"arm": HOLDOUT, "weight_bps": 3_000}],
                "starts_at": defined["starts_at"], "ends_at": defined["ends_at"]})
            report = (await client.get(f"/v1/experiments/{EXPERIMENT}/report",
                                       headers=REPORT)).json()
        assert await exposures(url) == first == arm_of  # stable across the restart

    events = [decode(r.value, r.headers) for r in records]
    exposed = [e for e in events if isinstance(e, ExperimentExposed)]
    assert sorted(e.member_id for e in exposed) == sorted(MEMBERS)  # once each
    assert {e.member_id: e.arm for e in exposed} == arm_of
    assert [e.experiment_id for e in events if isinstance(e, ExperimentPublished)] == [EXPERIMENT]
    # each recharge's bonus follows its member's arm, before the restart and after it:
    # the ladder's 1 000 plus the arm's campaign addition (none for the holdout)
    bonuses = {e.recharge_id: e for e in events if isinstance(e, BonusGranted)}
    treated = [e for e in [*exposing, *later] if getattr(e, "recharge_id", None) in bonuses]
    assert len(treated) == len(exposing) + len(later[::2])
    for event in treated:
        arm, bonus = arm_of[event.member_id], bonuses[event.recharge_id]
        assert bonus.amount == 1_000 + ADDITION[arm], event.member_id
        assert ("double_week" in [r.id for r in bonus.rules]) == (arm != HOLDOUT)
    assert restated.status_code == 409
    assert restated.json()["code"] == "experiment_defined"

    # the raw rows agree with the plan: revenue after exposure only, cost per treated recharge
    for n, member in enumerate(MEMBERS):
        recharges = 2 if n % 3 == 0 else 1
        assert settled[member] == (int(n % 3 != 2), later_revenue(n),
                                   recharges * ADDITION[arm_of[member]]), member
    assert_report_matches(report, settled, arm_of)


def assert_report_matches(report: dict, rows: dict[str, tuple[int, int, int]],
                          arm_of: dict[str, str]) -> None:
    """The report against the same figures computed here from the raw rows: proportions,
    sample variances (n - 1), Welch's degrees of freedom, the intervals and ROI."""
    def arm_rows(arm: str) -> list[tuple[int, int, int]]:
        return [rows[m] for m in sorted(rows) if arm_of[m] == arm]

    base = arm_rows(HOLDOUT)
    p0 = sum(1 for events, _, _ in base if events) / len(base)
    revenue0 = [float(revenue) for _, revenue, _ in base]
    by_arm = {a["arm"]: a for a in report["arms"]}
    assert list(by_arm) == ["triple", "double", HOLDOUT]
    assert by_arm[HOLDOUT]["conversion_lift"] is None
    for arm in ("triple", "double"):
        mine, shown = arm_rows(arm), by_arm[arm]
        n, n0 = len(mine), len(base)
        p1 = sum(1 for events, _, _ in mine if events) / n
        revenue1 = [float(revenue) for _, revenue, _ in mine]
        cost = sum(c for _, _, c in mine)
        assert shown["exposed"] == n
        assert shown["conversion_rate"] == pytest.approx(p1)
        assert shown["revenue_per_member"] == pytest.approx(statistics.mean(revenue1))
        assert shown["cost_per_member"] == pytest.approx(cost / n)
        half = Z_95 * math.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n0)
        lift = shown["conversion_lift"]
        assert (lift["estimate"], lift["low"], lift["high"]) == pytest.approx(
            (p1 - p0, p1 - p0 - half, p1 - p0 + half))
        a = statistics.variance(revenue1) / n
        b = statistics.variance(revenue0) / n0
        df = (a + b) ** 2 / (a * a / (n - 1) + b * b / (n0 - 1))
        difference = statistics.mean(revenue1) - statistics.mean(revenue0)
        half = t_quantile_975(df) * math.sqrt(a + b)  # the quantile is checked against tables
        lift = shown["revenue_lift"]
        assert (lift["estimate"], lift["low"], lift["high"]) == pytest.approx(
            (difference, difference - half, difference + half))
        assert shown["incremental_roi"] == pytest.approx((difference * n - cost) / cost)
