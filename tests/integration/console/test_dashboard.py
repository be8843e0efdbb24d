"""The dashboard on PostgreSQL with the services behind it: today's recharge volume and
bonus cost drawn as bars carrying the reports' figures, members per tier, liability, the
consumer groups' lag; a bad choice of days answered next to the field."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.integration.console.service_stack import services_behind
from tests.support.auth import pos_headers
from tests.support.console import add_console_user, log_in
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration


def bars(page: httpx.Response, chart: str) -> list[tuple[str, int]]:
    """(label, value) of each bar of a chart, read off the SVG."""
    svg = re.search(rf'<svg [^>]*data-chart="{chart}">(.*?)</svg>', page.text, re.S)
    assert svg, f"no {chart} chart"
    return [(label, int(value)) for label, value in
            re.findall(r'<g class="bar" data-label="([^"]*)" data-value="(-?\d+)">', svg.group(1))]


async def test_the_charts_are_drawn_from_the_services_figures(console, browser, bus_platform):
    await add_console_user(console, "lin", "viewer")
    async with services_behind(console, bus_platform) as stack:
        await enrol_in_wallet(stack["wallet"], "m_dash")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack["wallet"].app),
                                     base_url="http://wallet", headers=pos_headers()) as pos:
            for amount in (50_000, 10_000):
                paid = await pos.post("/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
                                      json={"member_id": "m_dash", "amount": amount,
                                            "currency": "CNY", "payment_method": "cash",
                                            "payment_reference": "c", "store_id": "store_1",
                                            "terminal_id": "pos_1", "pos_reference": uuid.uuid4().hex})
                assert paid.status_code == 201, paid.text
        await eventually(lambda: fetch_all(bus_platform.database_url,
                                           "SELECT 1 FROM rewards.bonus_decisions"),
                         lambda rows: len(rows) == 2)
        await log_in(browser, "lin")
        # the lag gauges are sampled every few seconds, not per scrape (docs/operations.md)
        page = await eventually(lambda: browser.get("/dashboard?days=7"), lambda shown: any(
            "rewards" in group for group, _ in bars(shown, "consumer_lag")), timeout=30)
        bad = await browser.get("/dashboard?days=1000")

    assert page.status_code == 200, page.text
    volume, cost = bars(page, "recharge_volume"), bars(page, "bonus_cost")
    assert len(volume) == 7 and volume[-1][1] == 60_000 and sum(v for _, v in volume) == 60_000
    # ladder 80 yuan at 500 plus the first recharge's 5 % (25 yuan); ladder 10 yuan at 100
    assert cost[-1][1] == 8_000 + 2_500 + 1_000
    assert "¥600.00" in page.text
    assert len(bars(page, "renewal_rate")) == 6
    assert [label for label, _ in bars(page, "members_per_tier")][:2] == ["regular", "silver"]
    assert re.search(r'data-figure="principal">¥600.00<', page.text)
    assert bad.status_code == 422 and 'id="days-error"' in bad.text
