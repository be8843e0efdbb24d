"""The renewal prices page through the console on PostgreSQL, with tiering behind it: a
user without ops:config neither opens nor posts it (no version is stored); an admin's
unreadable field is marked before tiering is asked."""

from __future__ import annotations

import pytest

from tests.integration.console.service_stack import services_behind
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration
DRAFT = {"price_per_year": "400", "floor_per_year": "150", "length_1_discount": "10",
         "length_2_discount": "20", "segment_potential_discount": "20",
         "segment_growing_discount": "30", "segment_core_discount": "40",
         "early_discount": "15", "early_days": "60", "win_back_discount": "25",
         "first_renewal_discount": "10", "upgrade_surcharge": "20", "action": "publish"}
STORED = "SELECT version FROM tiering.renewal_price_lists ORDER BY version"


async def test_a_user_without_the_config_scope_cannot_change_renewal_prices(
        console, browser, bus_platform):
    await add_console_user(console, "ray", "reviewer")
    async with services_behind(console, bus_platform, ("tiering",)):
        await log_in(browser, "ray")
        home = await browser.get("/")
        shown = await browser.get("/setup/renewal-prices")
        posted = await browser.post("/setup/renewal-prices",
                                    data={**DRAFT, "csrf_token": csrf_of(home)})
        stored = await fetch_all(bus_platform.database_url, STORED)
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert [row["version"] for row in stored] == []


async def test_an_unreadable_price_is_marked_and_nothing_is_published(console, browser,
                                                                      bus_platform):
    await add_console_user(console, "mei", "admin")
    async with services_behind(console, bus_platform, ("tiering",)):
        await log_in(browser, "mei")
        page = await browser.get("/setup/renewal-prices")
        assert page.status_code == 200 and 'value="360"' in page.text
        posted = await browser.post("/setup/renewal-prices", data={
            **DRAFT, "price_per_year": "lots", "csrf_token": csrf_of(page)})
        stored = await fetch_all(bus_platform.database_url, STORED)
    assert posted.status_code == 422 and 'id="price_per_year-error"' in posted.text
    assert [row["version"] for row in stored] == [1]  # the settings' version, shown above
