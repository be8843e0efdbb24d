"""Renewal prices in headless Chromium (Debian's `chromium`, Playwright's client) against
every service on real Kafka and PostgreSQL: the console shows tiering's version in force as
a form, a refused draft (a two-year term no cheaper per year) shows the API's words by the
field, a preview shows the draft's prices beside those in force, publishing makes a new
version with who and when, and the member page's renewal quote follows it. Screenshots at
1280 and 768 px go to test-artifacts/console/."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.transport import KafkaTransport
from tests.e2e.console.browser import CHROMIUM, screenshots
from tests.support.auth import pos_headers
from tests.support.console import PASSWORD, add_console_user
from tests.support.console_stack import console_stack

pytestmark = pytest.mark.integration


async def test_change_a_renewal_price_and_the_member_quote_follows(platform, kafka):
    async with console_stack(platform, KafkaTransport(kafka.bootstrap_servers)) as stack:
        console = stack.urls["console"]
        await add_console_user(stack.runtimes["console"], "lan", "admin")
        async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
            enrolled = await pos.post(f"{stack.urls['tiering']}/v1/members",
                                      json={"member_id": "m_renew", "channel": "pos"})
            assert enrolled.status_code == 201, enrolled.text
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="en-US")
                await page.goto(f"{console}/")
                await page.get_by_label("User name").fill("lan")
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Log in").click()

                quotes = page.locator("#section-renewal_quotes")
                await page.goto(f"{console}/members/m_renew")
                await expect(quotes).to_contain_text("¥259.20")  # the settings' prices

                await page.get_by_role("link", name="Program setup").click()
                await page.get_by_role("link", name="Renewal prices").click()
                await expect(page.get_by_label("List price per year (CNY)")).to_have_value("360")
                await expect(page.locator("tr[data-version='1']")).to_contain_text("settings")
                await screenshots(page, "setup-renewal-prices")

                # a two-year term no cheaper per year: tiering refuses, by the field
                await page.get_by_label("Discount for years 2 (%)").fill("10")
                await page.get_by_role("button", name="Publish as a new version").click()
                await expect(page.locator("#length_2_discount-error")).to_contain_text(
                    "must be above the 1-year one")
                await screenshots(page, "setup-renewal-prices-refused")

                await page.get_by_label("Discount for years 2 (%)").fill("20")
                await page.get_by_label("List price per year (CNY)").fill("400")
                await page.get_by_role("button", name="Preview").click()
                row = page.locator("tr[data-row='1-potential-none']")
                await expect(row.locator("[data-price=current]")).to_have_text("¥259.20")
                await expect(row.locator("[data-price=draft]")).to_have_text("¥288.00")
                await screenshots(page, "setup-renewal-prices-preview")
                await page.goto(f"{console}/members/m_renew")
                await expect(quotes).to_contain_text("¥259.20")  # a preview changes nothing

                await page.goto(f"{console}/setup/renewal-prices")
                await page.get_by_label("List price per year (CNY)").fill("400")
                await page.get_by_role("button", name="Publish as a new version").click()
                await expect(page.get_by_role("status")).to_have_text("Published version 2")
                await expect(page.locator("tr[data-version='2']")).to_contain_text("ops:lan")
                await expect(page.get_by_label("List price per year (CNY)")).to_have_value("400")

                await page.goto(f"{console}/members/m_renew")
                await expect(quotes).to_contain_text("¥288.00")
                await expect(quotes).to_contain_text("¥512.00")
                await screenshots(page, "member-renewal-quote")

                await page.get_by_role("link", name="中文").click()
                await page.goto(f"{console}/setup/renewal-prices")
                await expect(page.get_by_role("heading", name="续费价格设置")).to_be_visible()
                await screenshots(page, "setup-renewal-prices-zh")
            finally:
                await browser.close()
