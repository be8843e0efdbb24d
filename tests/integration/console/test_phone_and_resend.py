"""The console's lookup by phone and its Resend button, on real PostgreSQL with tiering's
and the notifier's APIs in process: one match opens the member page, several are a list,
none says so; only a user whose role has `ops:pii` sees the phone lookup and the button;
a double-posted resend sends once; an opted-out member's resend is refused in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from services.console.platform_apis import PlatformApis
from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.service import SPEC as NOTIFIER
from services.tiering.service import SPEC as TIERING
from shared.topics import Topics
from shared.transport import BusTransport
from tests.integration.notifier.outreach import applied, deliver, messages, recharge
from tests.support.auth import member_headers, pos_headers
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.runtime import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def stack(bus_platform, console) -> AsyncIterator[dict]:
    """Tiering with three members (two sharing a phone) and the notifier, both in process."""
    transport = BusTransport()
    async with running(TIERING, bus_platform, BusTransport()) as tiering, \
            running(NOTIFIER, bus_platform, transport) as notifier, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                              base_url="http://tiering") as pos, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                              base_url="http://notifier") as notifier_api:
        for member_id, phone in (("m_ph1", "+86 139-0000-1111"), ("m_ph2", "13900002222"),
                                 ("m_ph3", "139 0000 2222")):
            enrolled = await pos.post("/v1/members", headers=pos_headers("store_1"), json={
                "member_id": member_id, "phone": phone, "locale": "en"})
            assert enrolled.status_code == 201, enrolled.text
        console.app.state.apis = PlatformApis(
            console.settings.service_urls(), bus_platform.jwt_secret, console.clock,
            timedelta(minutes=5), 10.0,
            transports={"tiering": httpx.ASGITransport(app=tiering.app),
                        "notifier": httpx.ASGITransport(app=notifier.app)})
        yield {"notifier": notifier, "transport": transport, "notifier_api": notifier_api}


async def test_an_admin_finds_members_by_phone(stack, console, browser):
    await add_console_user(console, "ada", "admin")
    await log_in(browser, "ada")
    form = await browser.get("/members")
    assert '<option value="phone"' in form.text

    one = await browser.get("/members", params={"by": "phone", "q": "+86 139 0000 1111"})
    assert (one.status_code, one.headers["location"]) == (303, "/members/m_ph1")
    several = await browser.get("/members", params={"by": "phone", "q": "139-0000-2222"})
    assert several.status_code == 200 and 'id="phone-matches"' in several.text
    assert 'href="/members/m_ph2"' in several.text and 'href="/members/m_ph3"' in several.text
    none = await browser.get("/members", params={"by": "phone", "q": "13900009999"})
    assert none.status_code == 404 and "No member has this phone number." in none.text
    bad = await browser.get("/members", params={"by": "phone", "q": "- - - -"})
    assert bad.status_code == 422 and 'id="q-error"' in bad.text


async def test_a_viewer_has_no_phone_lookup_and_no_resend(stack, console, browser):
    await add_console_user(console, "vic", "viewer")
    await log_in(browser, "vic")
    form = await browser.get("/members")
    assert form.status_code == 200 and '<option value="phone"' not in form.text
    refused = await browser.get("/members", params={"by": "phone", "q": "13900001111"})
    assert refused.status_code == 403
    page = await browser.get("/members/m_ph1")
    assert page.status_code == 200 and "/resend" not in page.text
    posted = await browser.post("/members/m_ph1/notifications/00000000-0000-4000-8000-000000000000"
                                "/resend", data={"csrf_token": csrf_of(page), "action_key": "k"})
    assert posted.status_code == 403


async def test_an_admin_resends_a_message_once_and_is_told_when_the_member_opted_out(
        stack, console, browser, bus_platform):
    db, notifier = bus_platform.database_url, stack["notifier"]
    await deliver(stack["transport"].bus, Topics(bus_platform.topic_prefix),
                  recharge("m_ph1", 5_000, notifier.clock.now()))
    await applied(db, 1)
    await DeliveryJob(notifier.context).run_once(notifier.clock.now())
    [original] = await messages(db, "m_ph1")
    assert original["status"] == "sent"

    await add_console_user(console, "ada", "admin")
    await log_in(browser, "ada")
    page = await browser.get("/members/m_ph1")
    action = f"/members/m_ph1/notifications/{original['notification_id']}/resend"
    assert f'action="{action}"' in page.text
    form = {"csrf_token": csrf_of(page),
            "action_key": page.text.split('name="action_key" value="')[1].split('"')[0]}
    first, again = [await browser.post(action, data=form) for _ in range(2)]  # a double click
    assert (first.status_code, again.status_code) == (303, 303), first.text
    shown = await browser.get(first.headers["location"])
    assert "The message is queued to be sent again." in shown.text
    copies = [m for m in await messages(db, "m_ph1") if m["resent_from"] == original["notification_id"]]
    assert len(copies) == 1

    withdrawn = await stack["notifier_api"].put(
        "/v1/members/m_ph1/consents/inbox/transactional", json={"granted": False},
        headers=member_headers("m_ph1"))
    assert withdrawn.status_code == 200, withdrawn.text
    refused = await browser.post(action, data={**form, "action_key": "another-click"})
    assert refused.status_code == 409
    assert 'id="resend-error"' in refused.text and "opted out" in refused.text
    assert len(await messages(db, "m_ph1")) == 2
