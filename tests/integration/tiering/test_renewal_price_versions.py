"""Renewal prices as versions on PostgreSQL: version 1 is the settings' prices, a published
version prices the next quote (on this replica at once, on another after its refresh
check), a price list where a longer term is not cheaper per year is refused with its code,
and a preview saves nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.topics import Topics
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import deliver, renewal, tiering_events
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
CONFIG, REPORT = ops_headers("ops:config"), ops_headers("ops:report")
DEFAULTS = {"price_per_year": 36_000, "lengths": [1, 2], "length_discount_bps": {"1": 1000, "2": 2000},
            "segment_discount_bps": {"potential": 2000, "growing": 3000, "core": 4000},
            "early_renewal_bps": 1500, "early_renewal_days": 60, "win_back_bps": 2500,
            "first_renewal_bps": 1000, "renewal_floor_per_year": 15_000,
            "upgrade_surcharge_bps": 2000}
DEARER = {**DEFAULTS, "price_per_year": 40_000}


async def prices_of(client: httpx.AsyncClient, member_id: str) -> list[int]:
    answer = await client.get(f"/v1/members/{member_id}/renewal-quotes",
                              headers=member_headers(member_id))
    assert answer.status_code == 200, answer.text
    return [q["price"] for q in answer.json()["quotes"]]


async def versions(platform) -> list:
    return await fetch_all(platform.database_url,
                           "SELECT version, created_by FROM tiering.renewal_price_lists ORDER BY 1")


async def test_version_one_is_the_settings_prices(client):
    answer = await client.get("/v1/renewal-prices", headers=REPORT)
    assert answer.status_code == 200
    [first] = answer.json()["items"]
    figures = {k: v for k, v in first.items() if k in DEFAULTS}
    assert figures == {**DEFAULTS, "length_discount_bps": {"1": 1000, "2": 2000}}
    assert (first["version"], first["created_by"], first["currency"]) == (1, "settings", "CNY")
    assert TieringSettings().price_per_year == first["price_per_year"]


async def test_a_published_version_prices_the_next_quote_on_every_replica(
        client, tiering, bus_platform, transport, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_rp"})
    other_settings = TieringSettings(scheduler_interval_seconds=3600,
                                     renewal_prices_refresh_seconds=0.1)
    async with running(TIERING, bus_platform, transport, clock=clock,
                       settings=other_settings) as other, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other.app), base_url="http://other") as second:
        assert await prices_of(client, "m_rp") == [25_920, 46_080]  # the settings' prices
        assert await prices_of(second, "m_rp") == [25_920, 46_080]  # cached on the other one

        published = await client.post("/v1/renewal-prices", headers=CONFIG, json=DEARER)
        assert published.status_code == 201, published.text
        assert published.json()["version"] == 2 and published.json()["created_by"]

        # 40,000 x 0.8 (potential) = 32,000 a year; x 0.9 for one year, x 2 x 0.8 for two
        assert await prices_of(client, "m_rp") == [28_800, 51_200]  # this replica: at once
        await eventually(lambda: prices_of(second, "m_rp"),
                         lambda prices: prices == [28_800, 51_200], timeout=10)
    history = (await client.get("/v1/renewal-prices", headers=CONFIG)).json()["items"]
    assert [(v["version"], v["price_per_year"]) for v in history] == [(2, 40_000), (1, 36_000)]


@pytest.mark.parametrize(("change", "code", "location"), [
    ({"length_discount_bps": {"1": 1000, "2": 1000}}, "longer_term_not_cheaper",
     ["body", "length_discount_bps", "2"]),
    ({"renewal_floor_per_year": 40_000}, "renewal_floor_out_of_range",
     ["body", "renewal_floor_per_year"]),
    ({"length_discount_bps": {"1": 1000, "2": 1001}, "renewal_floor_per_year": 9_000},
     "renewal_floor_too_low", ["body", "renewal_floor_per_year"]),
    ({"lengths": [1, 1]}, "renewal_lengths_invalid", ["body", "lengths"]),
    ({"win_back_bps": 10_000}, "renewal_discount_out_of_range", ["body", "win_back_bps"]),
])
async def test_an_invalid_version_is_refused_with_its_code(client, bus_platform, change, code,
                                                          location):
    for path in ("/v1/renewal-prices", "/v1/renewal-prices/preview"):
        answer = await client.post(path, headers=CONFIG, json={**DEFAULTS, **change})
        assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
        assert answer.json()["errors"][0]["location"] == location
    assert [v["version"] for v in await versions(bus_platform)] in ([], [1])


async def test_a_preview_compares_and_saves_nothing(client, bus_platform):
    answer = await client.post("/v1/renewal-prices/preview", headers=CONFIG, json=DEARER)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["current_version"] == 1 and len(body["rows"]) == 2 * 3 * 5
    row = next(r for r in body["rows"]
               if (r["years"], r["segment"], r["status"]) == (1, "potential", "none"))
    assert (row["current"]["price"], row["draft"]["price"]) == (25_920, 28_800)
    assert [(v["version"], v["created_by"]) for v in await versions(bus_platform)] == [
        (1, "settings")]


async def test_only_ops_config_publishes_or_previews(client):
    for headers in (pos_headers(), member_headers("m_1"), REPORT):
        for path in ("/v1/renewal-prices", "/v1/renewal-prices/preview"):
            answer = await client.post(path, headers=headers, json=DEFAULTS)
            assert answer.status_code == 403
    assert (await client.get("/v1/renewal-prices", headers=pos_headers())).status_code == 403


async def test_the_expiry_reminder_quotes_the_published_version(client, tiering, transport,
                                                                bus_platform):
    await deliver(transport.bus, Topics(bus_platform.topic_prefix),
                  renewal("m_remind", 1, 32_400, START))
    await eventually(lambda: fetch_all(bus_platform.database_url,
                                       "SELECT 1 FROM tiering.membership_terms"), bool)
    published = await client.post("/v1/renewal-prices", headers=CONFIG, json=DEARER)
    assert published.status_code == 201
    await TieringScheduler(tiering.context).run_once(START + timedelta(days=363))
    [reminder] = await tiering_events(bus_platform.database_url, "MembershipExpiring")
    assert [q["list_price"] for q in reminder["renewal_quote"]] == [40_000, 80_000]
