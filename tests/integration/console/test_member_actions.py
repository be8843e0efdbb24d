"""The member page's ops actions on real PostgreSQL, the console calling the wallet's API
in process: support freezes and unfreezes a wallet and books an adjustment; a typo in an
amount and the API's refusal are shown next to the field; a viewer sees no action and is
refused when posting one."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from services.console.platform_apis import PlatformApis
from services.wallet.service import SPEC as WALLET
from shared.transport import BusTransport
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.runtime import running

pytestmark = pytest.mark.integration
MEMBER = "m_console_actions"


@pytest.fixture
async def wallet(bus_platform, console):
    async with running(WALLET, bus_platform, BusTransport()) as runtime:
        console.app.state.apis = PlatformApis(
            console.settings.service_urls(), bus_platform.jwt_secret, console.clock,
            timedelta(minutes=5), 10.0, transports={"wallet": httpx.ASGITransport(app=runtime.app)})
        yield runtime


def action_key(page: httpx.Response) -> str:
    return page.text.split('name="action_key" value="')[1].split('"')[0]


async def test_support_freezes_unfreezes_and_adjusts(console, wallet, browser):
    await add_console_user(console, "sam", "support")
    await log_in(browser, "sam")
    page = await browser.get(f"/members/{MEMBER}")
    assert page.status_code == 200 and "Freeze wallet" in page.text

    frozen = await browser.post(f"/members/{MEMBER}/freeze", data={
        "csrf_token": csrf_of(page), "action_key": action_key(page), "reason": "card stolen"})
    assert frozen.status_code == 303
    page = await browser.get(frozen.headers["location"])
    assert "The wallet is frozen." in page.text and "Unfreeze wallet" in page.text
    assert 'data-field="frozen">yes' in page.text

    typo = await browser.post(f"/members/{MEMBER}/adjustments", data={
        "csrf_token": csrf_of(page), "action_key": action_key(page),
        "principal_delta": "0", "bonus_delta": "5.5.0", "reason": "goodwill"})
    assert typo.status_code == 422
    assert 'id="bonus_delta-error"' in typo.text and "An amount such as 12.50" in typo.text

    no_reason = await browser.post(f"/members/{MEMBER}/adjustments", data={
        "csrf_token": csrf_of(page), "action_key": action_key(page),
        "principal_delta": "", "bonus_delta": "5.00", "reason": ""})
    assert no_reason.status_code == 422 and 'id="adjust_reason-error"' in no_reason.text

    form = {"csrf_token": csrf_of(page), "action_key": action_key(page),
            "principal_delta": "", "bonus_delta": "12.50", "reason": "goodwill (ticket 7)"}
    booked = await browser.post(f"/members/{MEMBER}/adjustments", data=form)
    assert booked.status_code == 303
    again = await browser.post(f"/members/{MEMBER}/adjustments", data=form)  # a double click
    assert again.status_code == 303
    page = await browser.get(f"/members/{MEMBER}")
    assert 'data-field="bonus">¥12.50' in page.text  # booked once, not twice

    unfrozen = await browser.post(f"/members/{MEMBER}/unfreeze", data={
        "csrf_token": csrf_of(page), "action_key": action_key(page), "reason": "card found"})
    assert unfrozen.status_code == 303
    assert 'data-field="frozen">no' in (await browser.get(f"/members/{MEMBER}")).text


async def test_a_viewer_sees_no_actions_and_cannot_post_them(console, wallet, browser):
    await add_console_user(console, "val", "viewer")
    await log_in(browser, "val")
    page = await browser.get(f"/members/{MEMBER}")
    assert page.status_code == 200 and "Ops actions" not in page.text
    refused = await browser.post(f"/members/{MEMBER}/freeze", data={
        "csrf_token": csrf_of(page), "action_key": "k1", "reason": "let me"})
    assert refused.status_code == 403
    assert 'data-field="frozen">no' in (await browser.get(f"/members/{MEMBER}")).text
