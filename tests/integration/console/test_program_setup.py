"""Program setup through the console on PostgreSQL, with the services behind it: a ladder
previewed on a sample recharge (nothing saved), published as a new version with who and
when, and the next recharge paid by it; refusals next to their field; tiers, referral
rules and wordings; a user without ops:config neither sees nor opens the pages."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

from tests.integration.console.service_stack import services_behind
from tests.support.auth import pos_headers
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
WINTER = {"name": "Winter ladder", "threshold_0": "100", "bonus_0": "15", "threshold_1": "500",
          "bonus_1": "90", "sample_amount": "500", "sample_lifetime": "0"}


def cell(page: httpx.Response, marker: str) -> str:
    found = re.search(rf'{marker}[^>]*>([^<]*)<', page.text)
    assert found, f"{marker} not on the page"
    return found.group(1)


async def test_a_ladder_previewed_then_published_pays_the_next_recharge(console, browser, bus_platform):
    await add_console_user(console, "mei", "config")
    async with services_behind(console, bus_platform) as stack:
        await log_in(browser, "mei")
        overview = await browser.get("/setup")
        form = await browser.get("/setup/offers/ladder_cny")
        assert overview.status_code == 200 and 'data-offer="ladder_cny"' in overview.text
        assert 'name="threshold_2" id="threshold_2" aria-label' in form.text
        assert 'value="1000"' in form.text  # the published ladder's top rung, 1,000 yuan

        preview = await browser.post("/setup/offers/ladder_cny", data={
            **WINTER, "kind": "ladder", "action": "preview", "csrf_token": csrf_of(form)})
        assert preview.status_code == 200, preview.text
        assert (cell(preview, 'data-bonus="published"'), cell(preview, 'data-bonus="draft"')) == (
            "¥80.00", "¥90.00")
        assert 'data-version="2"' not in preview.text  # nothing saved by the preview

        published = await browser.post("/setup/offers/ladder_cny", data={
            **WINTER, "kind": "ladder", "action": "publish", "csrf_token": csrf_of(form)})
        assert (published.status_code, published.headers["location"]) == (
            303, "/setup/offers/ladder_cny?published=2")
        shown = await browser.get(published.headers["location"])
        # who and when (a minute in the merchant's zone)
        assert re.search(r'data-version="2"><td class="num">2</td><td>Winter ladder</td>'
                         r'<td>ops:mei</td><td>\d{4}-\d\d-\d\d \d\d:\d\d</td>', shown.text)

        await enrol_in_wallet(stack["wallet"], "m_winter")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack["wallet"].app),
                                     base_url="http://wallet", headers=pos_headers()) as pos:
            paid = await pos.post("/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
                                  json={"member_id": "m_winter", "amount": 50_000, "currency": "CNY",
                                        "payment_method": "cash", "payment_reference": "c-1",
                                        "store_id": "store_1", "terminal_id": "pos_1",
                                        "pos_reference": uuid.uuid4().hex})
        assert paid.status_code == 201, paid.text
        [decision] = await eventually(lambda: fetch_all(
            bus_platform.database_url, "SELECT amount, rules FROM rewards.bonus_decisions "
            "WHERE recharge_id = $1", paid.json()["recharge_id"]), lambda rows: len(rows) == 1)
    # the new ladder's 90 yuan, plus the default first-recharge 5 % (25 yuan) of a first recharge
    assert decision["amount"] == 9_000 + 2_500 and "Winter ladder" in decision["rules"]


async def test_a_field_the_console_cannot_read_or_the_api_refuses_is_marked_next_to_it(
        console, browser, bus_platform):
    await add_console_user(console, "mei", "config")
    async with services_behind(console, bus_platform, ("tiering", "rewards")):
        await log_in(browser, "mei")
        form = await browser.get("/setup/offers/new?kind=campaign")
        unreadable = await browser.post("/setup/offers/new", data={
            "kind": "campaign", "offer_id": "double", "name": "Double", "multiplier": "0.5",
            "budget": "lots", "action": "publish", "csrf_token": csrf_of(form)})
        refused = await browser.post("/setup/offers/new", data={
            "kind": "campaign", "offer_id": "double", "name": "Double", "multiplier": "2",
            "effective_from": "2026-12-08T00:00", "effective_to": "2026-12-01T00:00",
            "action": "publish", "csrf_token": csrf_of(form)})
        versions = await fetch_all(bus_platform.database_url,
                                   "SELECT 1 FROM rewards.offers WHERE offer_id = 'double'")
    assert unreadable.status_code == 422
    assert re.search(r'id="multiplier-error" role="alert">Enter a multiplier', unreadable.text)
    assert re.search(r'id="budget-error" role="alert">Enter an amount', unreadable.text)
    assert refused.status_code == 422
    assert re.search(r'id="effective_to-error" role="alert">effective_to must be after', refused.text)
    assert versions == []


async def test_tiers_referral_rules_and_wordings_in_both_locales(console, browser, bus_platform):
    await add_console_user(console, "mei", "config")
    async with services_behind(console, bus_platform, ("tiering", "referral", "notifier")):
        await log_in(browser, "mei")
        tiers = await browser.get("/setup/tiers")
        assert tiers.status_code == 200 and 'value="regular"' in tiers.text
        fields = dict(re.findall(r'name="(tier_\d_\w+|measure)" id="[^"]+" aria-label="[^"]*" '
                                 r'value="([^"]*)"', tiers.text))
        fields.update({"measure": "spend_12m", "tier_1_spend": "4000", "csrf_token": csrf_of(tiers)})
        published = await browser.post("/setup/tiers", data=fields)
        assert published.status_code == 303, published.text
        history = await browser.get(published.headers["location"])
        assert re.search(r'data-version="1">.*?<td>ops:mei</td>', history.text)
        rules = await fetch_all(bus_platform.database_url,
                                "SELECT ladder FROM tiering.tier_rule_sets WHERE version = 1")
        assert json.loads(rules[0]["ladder"])[1]["spend_threshold"] == 400_000

        referral = await browser.get("/setup/referral")
        changed = await browser.post("/setup/referral", data={
            "qualifies_purchase": "on", "min_amount": "150", "window_days": "20",
            "monthly_cap": "4", "clawback_days": "30", "referrer_points_percent": "10",
            "csrf_token": csrf_of(referral)})
        assert changed.status_code == 303, changed.text
        versions = await browser.get(changed.headers["location"])
        assert re.search(r'data-version="\d+"><td class="num">\d+</td><td>ops:mei</td>'
                         r'<td class="num">¥150.00</td>', versions.text)

        wordings = await browser.get("/setup/templates?kind=tier_upgraded")
        preview = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "draft_en": "Up to {{ to_tier }}!\n<p>Welcome.</p>",
            "draft_zh-CN": "升级到 {{ to_tier }}\n<p>欢迎</p>", "csrf_token": csrf_of(wordings)})
        broken = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "draft_en": "Hi {% if %}\nbody", "csrf_token": csrf_of(wordings)})
    assert wordings.status_code == 200 and wordings.text.count("data-subject>") == 2
    assert preview.status_code == 200
    assert re.search(r'data-locale="en".*?data-subject>Up to \w+!', preview.text, re.S)
    assert re.search(r'data-locale="zh-CN".*?data-subject>升级到 \w+', preview.text, re.S)
    assert broken.status_code == 422
    assert re.search(r'id="draft_en-error" role="alert">The draft is not a template', broken.text)


async def test_a_user_without_the_config_scope_neither_sees_nor_opens_setup(console, browser, bus_platform):
    await add_console_user(console, "ray", "reviewer")
    async with services_behind(console, bus_platform, ("rewards",)):
        await log_in(browser, "ray")
        home = await browser.get("/")
        pages = [await browser.get(path) for path in (
            "/setup", "/setup/offers/ladder_cny", "/setup/tiers", "/setup/referral",
            "/setup/templates")]
        posted = await browser.post("/setup/offers/ladder_cny", data={
            **WINTER, "kind": "ladder", "action": "publish", "csrf_token": csrf_of(home)})
        versions = await fetch_all(bus_platform.database_url,
                                   "SELECT version FROM rewards.offers WHERE offer_id = 'ladder_cny'")
    assert 'href="/setup"' not in home.text
    assert [page.status_code for page in pages] == [403] * 5
    assert posted.status_code == 403 and [v["version"] for v in versions] == [1]
