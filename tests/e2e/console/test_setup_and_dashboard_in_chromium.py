"""Program setup and the dashboard in headless Chromium (Debian's `chromium`, Playwright's
client; no browser download), against every service on real Kafka and PostgreSQL: the ladder
is changed in the console, previewed on a sample recharge (with the keyboard), published,
and the next recharge at the till is paid by it; the dashboard's charts carry that
recharge's figures; a notification wording previewed in both locales and saved as a version
shows in the history; the setup pages in English and Chinese. Screenshots of each page at
1280 and 768 px go to test-artifacts/console/."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from shared.transport import KafkaTransport
from tests.e2e.console.browser import CHROMIUM, screenshots
from tests.support.auth import pos_headers
from tests.support.console import PASSWORD, add_console_user
from tests.support.console_stack import Stack, console_stack
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration


async def enrol_and_recharge(stack: Stack, member_id: str, amount: int) -> str:
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        enrolled = await pos.post(f"{stack.urls['tiering']}/v1/members", json={
            "member_id": member_id, "channel": "pos", "locale": "zh-CN"})
        assert enrolled.status_code == 201, enrolled.text
        await eventually(lambda: fetch_all(
            stack.runtimes["wallet"].platform.database_url,
            "SELECT 1 FROM wallet.registered_members WHERE member_id = $1", member_id), bool,
            timeout=60)
        paid = await pos.post(
            f"{stack.urls['wallet']}/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"member_id": member_id, "amount": amount, "currency": "CNY",
                  "payment_method": "cash", "payment_reference": uuid.uuid4().hex[:12],
                  "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
                  "pos_reference": uuid.uuid4().hex})
        assert paid.status_code == 201, paid.text
        return paid.json()["recharge_id"]


async def credited_bonus(stack: Stack, recharge_id: str) -> dict:
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        return (await pos.get(f"{stack.urls['wallet']}/v1/recharges/{recharge_id}")).json()["bonus"]


async def last_bar(page: Page, chart: str) -> tuple[str | None, str | None]:
    bar = page.locator(f"svg[data-chart={chart}] g.bar").last
    return await bar.get_attribute("data-label"), await bar.get_attribute("data-value")


async def test_change_the_ladder_then_the_next_recharge_and_the_dashboard_use_it(platform, kafka):
    async with console_stack(platform, KafkaTransport(kafka.bootstrap_servers)) as stack:
        console = stack.urls["console"]
        await add_console_user(stack.runtimes["console"], "mei", "admin")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="en-US")
                await page.goto(f"{console}/")
                await page.get_by_label("User name").fill("mei")
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Log in").click()
                await page.get_by_role("link", name="Program setup").click()
                await expect(page.locator("tr[data-offer=ladder_cny]")).to_be_visible()
                await screenshots(page, "setup")

                await page.locator("tr[data-offer=ladder_cny]").get_by_role("link").click()
                await expect(page.get_by_label("Bonus 2")).to_have_value("80")
                await page.get_by_label("Name", exact=True).fill("Winter ladder")
                await page.get_by_label("Bonus 2").fill("90")
                # keyboard only: Enter in a field submits the form's first button, Preview
                await page.get_by_label("Amount (CNY)").fill("500")
                await page.get_by_label("Amount (CNY)").press("Enter")
                await expect(page.locator("[data-bonus=published]")).to_have_text("¥80.00")
                await expect(page.locator("[data-bonus=draft]")).to_have_text("¥90.00")
                await screenshots(page, "setup-offer-preview")
                await page.get_by_role("button", name="Publish as a new version").click()
                await expect(page.get_by_role("status")).to_have_text("Published version 2")
                await expect(page.locator("tr[data-version='2']")).to_contain_text("ops:mei")

                recharge_id = await enrol_and_recharge(stack, "m_setup", 50_000)
                bonus = await eventually(lambda: credited_bonus(stack, recharge_id),
                                         lambda b: b["status"] == "credited", timeout=60)
                # the new ladder's 90 yuan, plus the default first recharge's 5 % (25 yuan)
                assert bonus["amount"] == 9_000 + 2_500

                await page.get_by_role("link", name="Dashboard").click()
                assert (await last_bar(page, "recharge_volume"))[1] == "50000"
                assert (await last_bar(page, "bonus_cost"))[1] == "11500"
                await expect(page.locator("[data-figure=principal]")).to_have_text("¥500.00")
                await screenshots(page, "dashboard")

                for path, name in (("/setup/tiers", "setup-tiers"),
                                   ("/setup/referral", "setup-referral")):
                    await page.goto(f"{console}{path}")
                    await screenshots(page, name)
                await page.goto(f"{console}/setup/templates?kind=tier_upgraded")
                await page.get_by_label("Draft wording (first line: subject) — en").fill(
                    "Up to {{ to_tier }}!\n<p>Welcome.</p>")
                await page.get_by_label("Draft wording (first line: subject) — zh-CN").fill(
                    "升级到 {{ to_tier }}\n<p>欢迎</p>")
                await page.get_by_role("button", name="Preview").click()
                await expect(page.locator("[data-locale=en] [data-subject]")).to_contain_text("Up to ")
                await expect(page.locator("[data-locale=zh-CN] [data-subject]")).to_contain_text("升级到 ")
                await screenshots(page, "setup-templates")
                # after the preview in both locales: saved as a new version, in the history
                await page.get_by_role("button", name="Save as a new version").click()
                await expect(page.get_by_role("status")).to_contain_text("the next message uses it")
                saved = page.locator("tr[data-template-version][data-locale=en]").first
                await expect(saved).to_contain_text("Up to {{ to_tier }}!")
                await expect(saved).to_contain_text("ops:")
                await screenshots(page, "setup-templates-history")

                await page.get_by_role("link", name="中文").click()
                await page.goto(f"{console}/dashboard")
                await expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
                await screenshots(page, "dashboard-zh")
                await page.goto(f"{console}/setup/offers/ladder_cny")
                await expect(page.get_by_role("heading", name=re.compile("充值阶梯"))).to_be_visible()
            finally:
                await browser.close()
