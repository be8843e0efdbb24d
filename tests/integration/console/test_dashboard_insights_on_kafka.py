"""The dashboard's KPI panel, experiment results and campaign budget, and the Reports page,
drawn from rewards running on real Kafka and PostgreSQL: wallet-shaped events put on Kafka
expose members to a campaign experiment and make KPI activity; the console, in process,
reads rewards' APIs as a viewer. Every figure asserted is computed here from the plan the
test followed (members, arms by shared/experiments.py, amounts), not read back from rewards."""

from __future__ import annotations

import csv
import io
import math
import re
import statistics
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.console.platform_apis import PlatformApis
from services.console.service import SPEC as CONSOLE
from services.rewards.rules.experiment_stats import Z_95, t_quantile_975
from services.rewards.service import SPEC as REWARDS
from services.rewards.store import scheduled_reports
from shared.experiments import HOLDOUT, Arm, assign
from shared.topics import Topics
from shared.transport import BusTransport, KafkaTransport
from tests.integration.rewards.feed import api, publish_wallet_events, purchase, recharge
from tests.support.auth import ops_headers
from tests.support.console import add_console_user, log_in
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
EXPERIMENT = "exp_dash"
ARMS = (Arm("triple", 4_000, {"bonus_bps": 30_000}), Arm("double", 3_000), Arm(HOLDOUT, 3_000))
ADDITION = {"triple": 2_000, "double": 1_000, HOLDOUT: 0}  # the campaign's part of the bonus
BUDGET = 1_000_000
MEMBERS = [f"m_dash_{n}" for n in range(30)]
SHOPPERS = [f"m_shop_{n}" for n in range(4)]  # active, never recharged


def purchases_of(n: int) -> list[int]:
    """After exposure: a third buy twice, a third once, a third nothing."""
    return ([5_000 + 500 * n, 1_000], [5_000 + 500 * n], [])[n % 3]


def attribute(page: httpx.Response, selector: str, name: str) -> str:
    found = re.search(rf'<[^>]*{selector}[^>]*\s{name}="([^"]*)"', page.text)
    assert found, f"no {selector} {name}"
    return found.group(1)


def intervals(page: httpx.Response, chart: str) -> dict[str, tuple[int, int, int]]:
    svg = re.search(rf'<svg [^>]*data-chart="{chart}">(.*?)</svg>', page.text, re.S)
    assert svg, f"no {chart} chart"
    return {arm: (int(e), int(lo), int(hi)) for arm, e, lo, hi in re.findall(
        r'<g class="interval" data-arm="([^"]*)" data-estimate="(-?\d+)" '
        r'data-low="(-?\d+)" data-high="(-?\d+)">', svg.group(1))}


def expected_lifts(arm_of: dict[str, str]) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Conversion lift (bps) and revenue lift (minor units) of each variant over the holdout
    with 95 % intervals, from the plan: the two-proportion and Welch formulas of
    docs/rewards.md, computed here over each member's planned revenue."""
    revenue = {arm: [sum(purchases_of(n)) for n, m in enumerate(MEMBERS) if arm_of[m] == arm]
               for arm in ADDITION}
    held = revenue[HOLDOUT]
    lifts: dict[str, dict[str, tuple[int, int, int]]] = {"conversion": {}, "revenue": {}}
    for arm in ("triple", "double"):
        mine = revenue[arm]
        p1 = sum(r > 0 for r in mine) / len(mine)
        p0 = sum(r > 0 for r in held) / len(held)
        half = Z_95 * math.sqrt(p1 * (1 - p1) / len(mine) + p0 * (1 - p0) / len(held))
        lifts["conversion"][arm] = tuple(round(v * 10_000) for v in (
            p1 - p0, p1 - p0 - half, p1 - p0 + half))
        a = statistics.variance(mine) / len(mine)
        b = statistics.variance(held) / len(held)
        difference = statistics.mean(mine) - statistics.mean(held)
        df = (a + b) ** 2 / (a * a / (len(mine) - 1) + b * b / (len(held) - 1))
        spread = t_quantile_975(df) * math.sqrt(a + b)
        lifts["revenue"][arm] = tuple(round(v) for v in (
            difference, difference - spread, difference + spread))
    return lifts


@pytest.fixture
async def console(platform) -> AsyncIterator:
    async with running(CONSOLE, platform, BusTransport()) as runtime:
        yield runtime


async def define_experiment(client: httpx.AsyncClient) -> None:
    for offer_id, kind, terms, budget in (
            ("ladder_cny", "ladder", {"rungs": [[10_000, 1_000]]}, None),
            ("dash_week", "campaign", {"bonus_bps": 20_000}, BUDGET)):
        created = await client.post(f"/v1/offers/{offer_id}/versions", headers=CONFIG, json={
            "kind": kind, "name": offer_id, "currency": "CNY", "terms": terms,
            **({"budget": budget} if budget else {})})
        assert created.status_code == 201, created.text
    now = datetime.now(UTC)
    defined = await client.post("/v1/experiments", headers=CONFIG, json={
        "experiment_id": EXPERIMENT, "name": "Triple or double?", "subject_kind": "campaign",
        "subject_id": "dash_week",
        "arms": [{"arm": "triple", "weight_bps": 4_000, "bonus_bps": 30_000},
                 {"arm": "double", "weight_bps": 3_000}, {"arm": HOLDOUT, "weight_bps": 3_000}],
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat()})
    assert defined.status_code == 201, defined.text


async def test_the_dashboard_and_reports_show_rewards_figures(platform, kafka, console):
    topics, bootstrap, url = Topics(platform.topic_prefix), kafka.bootstrap_servers, platform.database_url
    arm_of = {member: assign(EXPERIMENT, member, ARMS).name for member in MEMBERS}
    assert all(list(arm_of.values()).count(arm) >= 3 for arm in ADDITION)  # intervals need 2+
    await add_console_user(console, "lin", "viewer")

    async with running(REWARDS, platform, KafkaTransport(bootstrap)) as rewards, \
            api(rewards) as client, httpx.AsyncClient(
                transport=httpx.ASGITransport(app=console.app),
                base_url="http://localhost") as browser:
        console.app.state.apis = PlatformApis(
            console.settings.service_urls(), platform.jwt_secret, console.context.clock,
            timedelta(minutes=5), 10.0,
            transports={"rewards": httpx.ASGITransport(app=rewards.app)})
        await define_experiment(client)
        await publish_wallet_events(bootstrap, topics, *(
            recharge(m, 50_000, terminal=f"pos_{n}") for n, m in enumerate(MEMBERS)))
        await eventually(lambda: fetch_all(url, "SELECT 1 FROM rewards.experiment_exposures"),
                         lambda rows: len(rows) == len(MEMBERS), timeout=60)
        later = [purchase(m, total) for n, m in enumerate(MEMBERS) for total in purchases_of(n)]
        await publish_wallet_events(bootstrap, topics, *later,
                                    *(purchase(s, 2_000) for s in SHOPPERS))
        await eventually(lambda: fetch_all(
            url, "SELECT 1 FROM rewards.experiment_outcomes WHERE revenue > 0"),
            lambda rows: len(rows) == len(later), timeout=60)
        await log_in(browser, "lin")
        page = await eventually(lambda: browser.get("/dashboard?days=7"), lambda shown: attribute(
            shown, 'data-kpi="active_members"', "data-value") == str(len(MEMBERS + SHOPPERS)),
            timeout=60)
        other_store = await browser.get("/dashboard?days=7&store_id=store_9")
        no_segment = await browser.get("/dashboard?days=7&segment_id=seg_nobody")

        async with rewards.context.uow() as uow:  # the leader's job, run now for today
            today = datetime.now(rewards.settings.zone()).date()
            made = await scheduled_reports.produce(uow, "daily", today, today,
                                                   rewards.settings.zone(), "CNY",
                                                   datetime.now(UTC))
        listed = await browser.get("/reports")
        report = await browser.get(f"/reports/{made}")
        downloaded = await browser.get(f"/reports/{made}/csv")
        missing = await browser.get("/reports/daily-1999-01-01")

    active = len(MEMBERS) + len(SHOPPERS)
    bought = [t for n in range(len(MEMBERS)) for t in purchases_of(n)] + [2_000] * len(SHOPPERS)
    buyers = [len(purchases_of(n)) for n in range(len(MEMBERS)) if purchases_of(n)]
    buyers += [1] * len(SHOPPERS)
    assert page.status_code == 200, page.text

    def kpi(name: str, in_page: httpx.Response = page) -> str:
        return attribute(in_page, f'data-kpi="{name}"', "data-value")

    assert kpi("recharge_conversion") == str(len(MEMBERS) * 10_000 // active)
    assert kpi("arpu") == str(sum(bought) // active)
    assert kpi("repeat_purchase_rate") == str(sum(c >= 2 for c in buyers) * 10_000 // len(buyers))
    assert kpi("paid_member_share") == "0"  # nobody holds a paid term
    assert "Purchase amount net of refunds ÷ active members." in page.text  # its definition
    # another store had no activity: no active member, the rates have no denominator
    assert kpi("active_members", other_store) == "0" and kpi("arpu", other_store) == ""
    assert no_segment.status_code == 422 and 'id="segment_id-error"' in no_segment.text

    # the experiment: each arm's members and conversion, the lifts' intervals, the budget
    for arm in ADDITION:
        members = [n for n, m in enumerate(MEMBERS) if arm_of[m] == arm]
        row = re.search(rf'<tr data-arm="{arm}" data-exposed="(\d+)" '
                        rf'data-conversion-bps="(\d+)" data-revenue-per-member="(\d+)">',
                        page.text)
        assert row, arm
        assert int(row.group(1)) == len(members)
        assert int(row.group(2)) == round(sum(n % 3 != 2 for n in members) / len(members) * 10_000)
        assert int(row.group(3)) == round(sum(sum(purchases_of(n)) for n in members) / len(members))
    lifts = expected_lifts(arm_of)
    assert intervals(page, f"{EXPERIMENT}-conversion_lift") == lifts["conversion"]
    assert intervals(page, f"{EXPERIMENT}-revenue_lift") == lifts["revenue"]
    spent = sum(ADDITION[arm] for arm in arm_of.values())
    assert attribute(page, 'data-campaign="dash_week"', "data-cost") == str(spent)
    assert attribute(page, 'data-campaign="dash_week"', "data-budget") == str(BUDGET)

    # the Reports page: the report listed, its figures, its CSV as rewards made it
    assert listed.status_code == 200 and f'data-report="{made}"' in listed.text
    assert report.status_code == 200, report.text
    assert kpi("active_members", report) == str(active)
    assert kpi("arpu", report) == str(sum(bought) // active)
    assert downloaded.status_code == 200 and downloaded.headers["content-type"].startswith("text/csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(downloaded.text)) if row and not row[1]}
    assert rows["active_members"][2] == str(active)
    assert missing.status_code == 404 and "No such report." in missing.text
