"""The console's lookup by phone and its Resend button in headless Chromium (Debian's
`chromium`, Playwright's client), against every service on real Kafka and PostgreSQL: an
admin finds a member by a phone typed another way (one match opens the member page), picks
one of two members sharing a number from the list, is told when no member has it, and
resends a recharge receipt, which the notifier sends again as a resend of the original; a
viewer sees neither the phone lookup nor the button. Screenshots at 1280 and 768 px go to
test-artifacts/console/."""

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
MEMBERS = (("m_phone_1", "+86 137-0000-1111"), ("m_phone_2", "13700002222"),
           ("m_phone_3", "137 0000 2222"))


async def enrol_and_recharge(stack: Stack) -> None:
    """The three members enrolled at the till; a small recharge (not held) for the first,
    whose receipts (the recharge's, the first-recharge bonus's) the notifier puts in the
    member's in-app inbox."""
    async with httpx.AsyncClient(headers=pos_headers("store_1"), timeout=20) as pos:
        for member_id, phone in MEMBERS:
            enrolled = await pos.post(f"{stack.urls['tiering']}/v1/members", json={
                "member_id": member_id, "channel": "pos", "locale": "en", "phone": phone})
            assert enrolled.status_code == 201, enrolled.text
        await eventually(lambda: fetch_all(
            stack.runtimes["wallet"].platform.database_url,
            "SELECT 1 FROM wallet.registered_members WHERE member_id = 'm_phone_1'"), bool)
        recharge = await pos.post(
            f"{stack.urls['wallet']}/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"member_id": "m_phone_1", "amount": 5_000, "currency": "CNY",
                  "payment_method": "cash", "payment_reference": uuid.uuid4().hex[:12],
                  "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
                  "pos_reference": uuid.uuid4().hex})
        assert recharge.status_code == 201, recharge.text


async def delivery_log(stack: Stack) -> list[dict]:
    async with httpx.AsyncClient(headers=ops_headers("ops:pii"), timeout=20) as ops:
        answer = await ops.get(f"{stack.urls['notifier']}/v1/members/m_phone_1/notifications")
    return answer.json()["items"]


async def test_phone_lookup_and_resend_in_a_real_browser(platform, kafka):
    async with console_stack(platform, KafkaTransport(kafka.bootstrap_servers)) as stack:
        console = stack.urls["console"]
        await add_console_user(stack.runtimes["console"], "adam", "admin")
        await add_console_user(stack.runtimes["console"], "vera", "viewer")
        await enrol_and_recharge(stack)
        log = await eventually(lambda: delivery_log(stack), lambda log: any(
            (m["kind"], m["status"]) == ("recharge_receipt", "sent") for m in log))
        [receipt] = [m for m in log if m["kind"] == "recharge_receipt"]

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                viewer = await browser.new_page(viewport={"width": 1280, "height": 900},
                                                locale="en-US")
                await log_in(viewer, console, "vera")
                await viewer.goto(f"{console}/members")
                await expect(viewer.locator("#by option[value=phone]")).to_have_count(0)
                await viewer.goto(f"{console}/members/m_phone_1")
                await expect(viewer.locator("#section-messages")).to_be_visible()
                await expect(viewer.get_by_role("button", name=re.compile("^Resend"))).to_have_count(0)

                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="en-US")
                await log_in(page, console, "adam")
                await page.goto(f"{console}/members")
                await page.get_by_label("Look up by").select_option("phone")
                await page.get_by_label("Number, code or id").fill("8613700001111")
                await page.keyboard.press("Enter")
                await expect(page).to_have_url(re.compile(r"/members/m_phone_1$"))

                await page.goto(f"{console}/members")
                await page.get_by_label("Look up by").select_option("phone")
                await page.get_by_label("Number, code or id").fill("137-0000-2222")
                await page.get_by_role("button", name="Search").click()
                matches = page.locator("#phone-matches")
                await expect(matches).to_contain_text("Several members have this phone number")
                await expect(matches.get_by_role("link")).to_have_count(2)
                await screenshots(page, "lookup-by-phone")
                await matches.get_by_role("link", name="m_phone_3").click()
                await expect(page).to_have_url(re.compile(r"/members/m_phone_3$"))

                await page.goto(f"{console}/members?by=phone&q=13700009999")
                await expect(page.get_by_role("alert")).to_contain_text(
                    "No member has this phone number.")

                await page.goto(f"{console}/members/m_phone_1")
                row = page.locator(f"tr[data-notification='{receipt['notification_id']}']")
                await expect(row).to_contain_text("recharge_receipt")
                await screenshots(page, "member-messages")
                await row.get_by_role("button", name=re.compile("^Resend")).click()
                await expect(page.get_by_role("status")).to_have_text(
                    "The message is queued to be sent again.")
                log = await eventually(lambda: delivery_log(stack), lambda log: any(
                    m["resent_from"] == receipt["notification_id"] and m["status"] == "sent"
                    for m in log))
                [copy] = [m for m in log if m["resent_from"] == receipt["notification_id"]]
                assert copy["kind"] == "recharge_receipt"  # one copy, of the same message
                await page.reload()
                await expect(page.locator("#messages")).to_contain_text(receipt["notification_id"])
            finally:
                await browser.close()
