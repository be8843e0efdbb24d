"""The ops console in headless Chromium (Debian's `chromium`, driven by Playwright's client;
no browser download), against every service on real Kafka and PostgreSQL: a reviewer logs
in, approves one held bonus and sees it credited on the member's wallet page, rejects
another (a note is required) and sees it never credited, looks a member up by number; a
read-only user sees no review actions and is refused when posting one directly.
Screenshots of each page at 1280 and 768 px go to test-artifacts/console/."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.transport import KafkaTransport
from tests.e2e.console.browser import CHROMIUM, log_in, screenshots
from tests.support.auth import ops_headers, pos_headers
from tests.support.console import add_console_user
from tests.support.console_stack import Stack, console_stack
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
HELD_AMOUNT = 300_000  # rewards' fraud screen holds a first recharge this big


async def enrol_and_recharge(stack: Stack, member_id: str, number: str) -> str:
    """Enrolled through tiering (the wallet registers the member from MemberEnrolled on
    Kafka), then a POS recharge big enough to be held; the recharge id."""
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        enrolled = await pos.post(f"{stack.urls['tiering']}/v1/members", json={
            "member_id": member_id, "member_number": number, "channel": "pos",
            "locale": "zh-CN"})
        assert enrolled.status_code == 201, enrolled.text
        await eventually(lambda: fetch_all(
            stack.runtimes["wallet"].platform.database_url,
            "SELECT 1 FROM wallet.registered_members WHERE member_id = $1", member_id), bool)
        recharge = await pos.post(
            f"{stack.urls['wallet']}/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"member_id": member_id, "amount": HELD_AMOUNT, "currency": "CNY",
                  "payment_method": "wechat_pay", "payment_reference": uuid.uuid4().hex[:12],
                  "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
                  "pos_reference": uuid.uuid4().hex})
        assert recharge.status_code == 201, recharge.text
        return recharge.json()["recharge_id"]


async def bonus_status(stack: Stack, recharge_id: str) -> str:
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        answer = await pos.get(f"{stack.urls['wallet']}/v1/recharges/{recharge_id}")
    return answer.json()["bonus"]["status"]


async def held_grants(stack: Stack) -> dict[str, str]:
    """member id → grant id of the bonuses rewards holds for review."""
    async with httpx.AsyncClient(headers=ops_headers("ops:review"), timeout=20) as ops:
        answer = await ops.get(f"{stack.urls['rewards']}/v1/reviews", params={"status": "held"})
    return {item["member_id"]: item["grant_id"] for item in answer.json()["items"]}


async def test_review_and_member_lookup_in_a_real_browser(platform, kafka):
    async with console_stack(platform, KafkaTransport(kafka.bootstrap_servers)) as stack:
        console = stack.urls["console"]
        await add_console_user(stack.runtimes["console"], "rita", "reviewer")
        await add_console_user(stack.runtimes["console"], "vera", "viewer")
        approved = await enrol_and_recharge(stack, "m_console_ok", "N-7001")
        rejected = await enrol_and_recharge(stack, "m_console_no", "N-7002")
        grants = await eventually(lambda: held_grants(stack),
                                  lambda held: {"m_console_ok", "m_console_no"} <= held.keys())

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                viewer = await browser.new_page(viewport={"width": 1280, "height": 900},
                                                locale="en-US")
                await log_in(viewer, console, "vera")
                # the read-only user sees no review queue, and cannot post a decision
                await expect(viewer.get_by_role("link", name="Review queue")).to_have_count(0)
                assert (await viewer.goto(f"{console}/reviews")).status == 403
                await viewer.goto(f"{console}/")
                csrf = await viewer.locator("input[name=csrf_token]").first.get_attribute("value")
                posted = await viewer.request.post(
                    f"{console}/reviews/bonuses/{grants['m_console_ok']}/approve",
                    form={"csrf_token": csrf, "note": "let me"}, max_redirects=0)
                assert posted.status == 403
                assert await bonus_status(stack, approved) == "held"

                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="en-US")
                await log_in(page, console, "rita")
                await screenshots(page, "home")
                await page.get_by_role("link", name="Review queue").click()
                ok_card = page.locator("section", has=page.locator(
                    "h3:has-text('m_console_ok')"))
                no_card = page.locator("section", has=page.locator(
                    "h3:has-text('m_console_no')"))
                await expect(ok_card.locator("dd", has_text="¥3,000.00")).to_be_visible()  # recharge
                await screenshots(page, "reviews")

                await no_card.get_by_role("button", name="Reject").click()
                await expect(page.get_by_text("Say why you reject it.")).to_be_visible()
                assert await bonus_status(stack, rejected) == "held"
                await no_card.get_by_label(re.compile("Note")).fill("card reported stolen")
                await no_card.get_by_role("button", name="Reject").click()
                await expect(page.get_by_text("Rejected.")).to_be_visible()

                await ok_card.get_by_label(re.compile("Note")).fill("known customer")
                await ok_card.get_by_role("button", name="Approve").click()
                await expect(page.get_by_text("Approved.")).to_be_visible()

                # the approved bonus is credited: the member's wallet page shows it
                await eventually(lambda: bonus_status(stack, approved), lambda s: s == "credited")
                await eventually(lambda: bonus_status(stack, rejected), lambda s: s == "rejected")
                await page.goto(f"{console}/members/m_console_ok")
                await expect(page.locator("[data-field=bonus]")).to_have_text("¥350.00")
                await expect(page.locator("#statement")).to_contain_text("bonus")
                await screenshots(page, "member")
                await page.goto(f"{console}/members/m_console_no")
                await expect(page.locator("[data-field=bonus]")).to_have_text("¥0.00")
                await expect(page.locator("[data-field=principal]")).to_have_text("¥3,000.00")

                # look a member up by number, with the keyboard
                await page.goto(f"{console}/members")
                await screenshots(page, "lookup")
                await page.get_by_label("Number, code or id").fill("N-7001")
                await page.keyboard.press("Enter")
                await expect(page).to_have_url(re.compile(r"/members/m_console_ok$"))
                await page.goto(f"{console}/members?by=number&q=N-404")
                await expect(page.get_by_role("alert")).to_contain_text("No member found.")
            finally:
                await browser.close()
