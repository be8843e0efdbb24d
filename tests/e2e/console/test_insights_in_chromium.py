"""The dashboard's KPI panel and experiment results, and the Reports page, in headless
Chromium (Debian's `chromium`, Playwright's client; no browser download) against every
service on real Kafka and PostgreSQL: members enrolled and recharging at the till under a
campaign experiment; the panel, the arms and the lift intervals drawn from that; a
scheduled report listed, opened and its CSV downloaded, by keyboard. Screenshots at 1280
and 768 px (English, and the dashboard in Chinese) go to test-artifacts/console/."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from services.rewards.store import scheduled_reports
from shared.experiments import HOLDOUT, Arm, assign
from shared.transport import KafkaTransport
from tests.e2e.console.browser import CHROMIUM, screenshots
from tests.support.auth import ops_headers, pos_headers
from tests.support.console import PASSWORD, add_console_user
from tests.support.console_stack import Stack, console_stack
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
EXPERIMENT = "exp_browser"
ARMS = (Arm("double", 5_000), Arm(HOLDOUT, 5_000))


def members_two_per_arm() -> list[str]:
    """The first member names that put two members in each arm (an interval needs two)."""
    chosen: dict[str, list[str]] = {arm.name: [] for arm in ARMS}
    for n in range(100):
        member = f"m_insight_{n}"
        arm = chosen[assign(EXPERIMENT, member, ARMS).name]
        if len(arm) < 2:
            arm.append(member)
        if all(len(found) == 2 for found in chosen.values()):
            return [m for found in chosen.values() for m in found]
    raise AssertionError("no two members per arm in 100 names")


async def recharge_at_till(stack: Stack, pos: httpx.AsyncClient, member_id: str, amount: int,
                           terminal: str) -> None:
    paid = await pos.post(
        f"{stack.urls['wallet']}/v1/recharges",
        headers={**pos_headers("store_1", terminal), "Idempotency-Key": uuid.uuid4().hex},
        json={"member_id": member_id, "amount": amount, "currency": "CNY",
              "payment_method": "cash", "payment_reference": uuid.uuid4().hex[:12],
              "store_id": "store_1", "terminal_id": terminal, "channel": "pos",
              "pos_reference": uuid.uuid4().hex})
    assert paid.status_code == 201, paid.text


async def run_experiment(stack: Stack, members: list[str]) -> None:
    config = ops_headers("ops:config")
    async with httpx.AsyncClient(base_url=stack.urls["rewards"], headers=config,
                                 timeout=20) as rewards:
        created = await rewards.post("/v1/offers/browser_week/versions", json={
            "kind": "campaign", "name": "Browser week", "currency": "CNY",
            "terms": {"bonus_bps": 20_000}, "budget": 500_000})
        assert created.status_code == 201, created.text
        now = datetime.now(UTC)
        defined = await rewards.post("/v1/experiments", json={
            "experiment_id": EXPERIMENT, "name": "Double or not", "subject_kind": "campaign",
            "subject_id": "browser_week",
            "arms": [{"arm": "double", "weight_bps": 5_000}, {"arm": HOLDOUT, "weight_bps": 5_000}],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat()})
        assert defined.status_code == 201, defined.text
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        for member in members:
            enrolled = await pos.post(f"{stack.urls['tiering']}/v1/members", json={
                "member_id": member, "channel": "pos", "locale": "zh-CN"})
            assert enrolled.status_code == 201, enrolled.text
        await eventually(lambda: fetch_all(
            stack.runtimes["wallet"].platform.database_url,
            "SELECT 1 FROM wallet.registered_members WHERE member_id LIKE 'm_insight_%'"),
            lambda rows: len(rows) == len(members), timeout=60)
        for n, member in enumerate(members):
            await recharge_at_till(stack, pos, member, 50_000, f"pos_{n}")
        await eventually(lambda: fetch_all(
            stack.runtimes["rewards"].platform.database_url,
            "SELECT 1 FROM rewards.experiment_exposures"), lambda r: len(r) == len(members),
            timeout=60)
        for n, member in enumerate(members):  # after exposure: revenue, unlike per member
            await recharge_at_till(stack, pos, member, 10_000 * (n + 1), f"pos_{n}")
        await eventually(lambda: fetch_all(
            stack.runtimes["rewards"].platform.database_url,
            "SELECT 1 FROM rewards.experiment_outcomes WHERE revenue > 0"),
            lambda r: len(r) == len(members), timeout=60)


async def test_the_dashboards_kpis_experiments_and_the_reports_page(platform, kafka):
    members = members_two_per_arm()
    async with console_stack(platform, KafkaTransport(kafka.bootstrap_servers)) as stack:
        console = stack.urls["console"]
        await add_console_user(stack.runtimes["console"], "ana", "viewer")
        await run_experiment(stack, members)
        rewards = stack.runtimes["rewards"]
        async with rewards.context.uow() as uow:  # the leader's daily job, run now for today
            today = datetime.now(rewards.settings.zone()).date()
            made = await scheduled_reports.produce(uow, "daily", today, today,
                                                   rewards.settings.zone(), "CNY",
                                                   datetime.now(UTC))
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="en-US", accept_downloads=True)
                await page.goto(f"{console}/")
                await page.get_by_label("User name").fill("ana")
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Log in").click()
                await page.get_by_role("link", name="Dashboard").click()
                panel = page.locator("[data-kpi=active_members]")
                await expect(panel).to_have_attribute("data-value", str(len(members)))
                await expect(page.locator("[data-kpi=recharge_conversion] dd.big")).to_have_text(
                    "100.00%")
                # they recharged and bought nothing: ARPU is 0 over the active members
                await expect(page.locator("[data-kpi=arpu]")).to_have_attribute("data-value", "0")
                experiment = page.locator(f"[data-experiment={EXPERIMENT}]")
                for arm in ("double", HOLDOUT):
                    await expect(experiment.locator(f"tr[data-arm={arm}]")).to_have_attribute(
                        "data-exposed", "2")
                lift = experiment.locator(f"svg[data-chart={EXPERIMENT}-revenue_lift] g.interval")
                await expect(lift).to_have_count(1)
                assert await lift.get_attribute("data-arm") == "double"
                await expect(page.locator("tr[data-campaign=browser_week]")).to_have_attribute(
                    "data-budget", "500000")
                await screenshots(page, "dashboard-insights")

                # the Reports page by keyboard: the link, then the report, then its CSV
                await page.get_by_role("link", name="Reports").focus()
                await page.keyboard.press("Enter")
                await expect(page.locator(f"tr[data-report={made}]")).to_be_visible()
                await screenshots(page, "reports")
                await page.get_by_role("link", name=made).focus()
                await page.keyboard.press("Enter")
                await expect(page.locator("tr[data-kpi=active_members]")).to_have_attribute(
                    "data-value", str(len(members)))
                await screenshots(page, "report")
                async with page.expect_download() as download_info:
                    await page.get_by_role("link", name="Download CSV").click()
                download = await download_info.value
                assert download.suggested_filename == f"{made}.csv"
                text = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
                assert f"active_members,,{len(members)}," in text

                await page.get_by_role("link", name="中文").click()
                await page.goto(f"{console}/dashboard")
                await expect(page.get_by_role("heading", name="核心指标")).to_be_visible()
                await screenshots(page, "dashboard-insights-zh")
            finally:
                await browser.close()
