"""Tier rules (versioned, ops:config), renewal quotes per segment and status, and the ops
reports (renewal rate and churn, members per tier, upgrades and downgrades)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.tiering.jobs import TieringScheduler
from shared.membership_quotes import read_quote
from shared.settings import DEV_JWT_SECRET
from shared.topics import Topics
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import deliver, purchase, renewal
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
LADDER = {"measure": "spend_12m", "tiers": [
    {"name": "basic"}, {"name": "vip", "spend_threshold": 100_000,
                        "benefits": {"discount_bps": 800, "free_services": ["valet"]}}]}


async def feed(transport, platform, *events) -> None:
    before = len(await fetch_all(platform.database_url, "SELECT 1 FROM tiering.inbox"))
    await deliver(transport.bus, Topics(platform.topic_prefix), *events)
    await eventually(lambda: fetch_all(platform.database_url, "SELECT 1 FROM tiering.inbox"),
                     lambda rows: len(rows) == before + len(events))


async def test_rules_are_versioned_and_everyone_reads_the_version_in_force(client):
    default = await client.get("/v1/tiers", headers=pos_headers())
    assert default.json()["version"] == 0
    assert [t["name"] for t in default.json()["tiers"]] == ["regular", "silver", "gold", "diamond"]
    published = await client.post("/v1/tiers/rules", headers=ops_headers("ops:config"), json=LADDER)
    assert published.status_code == 201 and published.json()["version"] == 1
    current = await client.get("/v1/tiers", headers=member_headers("m_1"))
    assert current.json()["tiers"][1]["benefits"]["free_services"] == ["valet"]
    old = await client.get("/v1/tiers/rules/0", headers=ops_headers("ops:config"))
    assert old.json()["tiers"][0]["name"] == "regular"
    missing = await client.get("/v1/tiers/rules/7", headers=ops_headers("ops:config"))
    assert (missing.status_code, missing.json()["code"]) == (404, "rules_version_not_found")
    huge = await client.get("/v1/tiers/rules/99999999999", headers=ops_headers("ops:config"))
    assert huge.status_code == 422


@pytest.mark.parametrize(("ladder", "code"), [
    ({"measure": "spend_12m", "tiers": [{"name": "a"}, {"name": "a", "spend_threshold": 5}]},
     "duplicate_tier"),
    ({"measure": "spend_12m", "tiers": [{"name": "a", "spend_threshold": 5}]}, "lowest_tier_has_threshold"),
    ({"measure": "both", "tiers": [{"name": "a"}, {"name": "b", "spend_threshold": 5}]},
     "thresholds_not_increasing"),
    ({"measure": "spend_12m", "tiers": []}, "invalid_request"),
    ({"measure": "vibes", "tiers": [{"name": "a"}]}, "invalid_request"),
    ({"measure": "spend_12m", "tiers": [{"name": "a", "spend_threshold": 1.5}]}, "invalid_request"),
    ({"measure": "spend_12m", "tiers": [{"name": "a", "benefits": {"discount_bps": 20000}}]},
     "invalid_request"),
])
async def test_nonsense_rules_are_refused_with_a_code(client, ladder, code):
    response = await client.post("/v1/tiers/rules", headers=ops_headers("ops:config"), json=ladder)
    assert (response.status_code, response.json()["code"]) == (422, code)


async def test_only_ops_config_publishes_rules(client):
    for headers in (pos_headers(), member_headers("m_1"), ops_headers("ops:report")):
        response = await client.post("/v1/tiers/rules", headers=headers, json=LADDER)
        assert response.status_code == 403


async def test_quotes_follow_segment_and_status(client, tiering, transport, bus_platform, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_q"})
    quotes = await client.get("/v1/members/m_q/renewal-quotes", headers=member_headers("m_q"))
    body = quotes.json()
    assert (body["status"], body["segment"]) == ("none", "potential")
    assert [(q["years"], q["price"], q["product"]["sku"]) for q in body["quotes"]] == [
        (1, 25_920, "membership-1y"), (2, 46_080, "membership-2y")]  # segment x length
    signed = [read_quote(DEV_JWT_SECRET, q["quote_token"], START) for q in body["quotes"]]
    assert [(s.quote_id, s.member_id, s.sku, s.years, s.price, s.currency) for s in signed] == [
        (q["quote_id"], "m_q", q["product"]["sku"], q["years"], q["price"], "CNY")
        for q in body["quotes"]]
    assert {s.expires_at for s in signed} == {START + timedelta(minutes=30)}
    assert len({s.quote_id for s in signed}) == 2
    await feed(transport, bus_platform, purchase("m_q", 2_500_000, START), renewal("m_q", 1, 21_600, START))
    clock.advance(timedelta(days=350))
    body = (await client.get("/v1/members/m_q/renewal-quotes", headers=member_headers("m_q"))).json()
    assert (body["status"], body["segment"]) == ("expiring", "core")
    assert body["first_renewal"] is True  # one term so far: segment x first renewal x length
    assert [q["price"] for q in body["quotes"]] == [17_496, 31_104]
    clock.advance(timedelta(days=60))  # lapsed past grace, and the spend left the window
    body = (await client.get("/v1/members/m_q/renewal-quotes", headers=member_headers("m_q"))).json()
    assert (body["status"], body["segment"]) == ("expired", "potential")
    # win-back (25 %) beats first renewal (10 %): the best offer for coming back counts
    assert [(q["price"], q["offer"]) for q in body["quotes"]] == [(19_440, "win_back"), (34_560, "win_back")]
    other = await client.get("/v1/members/m_q/renewal-quotes", headers=member_headers("m_z"))
    assert other.status_code == 403


async def test_reports_renewals_churn_tiers_and_moves(client, tiering, transport, bus_platform, clock):
    for member in ("m_stay", "m_go", "m_wait"):
        await client.post("/v1/members", headers=pos_headers(), json={"member_id": member})
    await feed(transport, bus_platform, *(renewal(m, 1, 32_400, START) for m in ("m_stay", "m_go", "m_wait")),
               purchase("m_stay", 2_000_000, START))
    await feed(transport, bus_platform, renewal("m_stay", 1, 32_400, START + timedelta(days=300)))
    clock.advance(timedelta(days=366 + 31))  # past the grace (15 days) and the review (30)
    await feed(transport, bus_platform, renewal("m_wait", 1, 32_400, clock.now()))  # too late: a win-back
    await TieringScheduler(tiering.context).run_once(clock.now())
    period = {"from": "2028-01-01T00:00:00Z", "to": "2028-12-31T00:00:00Z"}
    report = await client.get("/v1/reports/renewals", headers=ops_headers("ops:report"), params=period)
    assert report.status_code == 200, report.text
    assert {k: report.json()[k] for k in ("due", "renewed", "churned", "renewal_rate")} == {
        "due": 3, "renewed": 1, "churned": 2, "renewal_rate": 0.3333}
    tiers = await client.get("/v1/reports/tiers", headers=ops_headers("ops:report"))
    assert tiers.json()["tiers"] == {"regular": 3}  # m_stay went up to gold, and down at review
    moves = await client.get("/v1/reports/tier-changes", headers=ops_headers("ops:report"),
                             params={"from": "2027-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z"})
    assert (moves.json()["upgrades"], moves.json()["downgrades"]) == (1, 1)
    backwards = await client.get("/v1/reports/renewals", headers=ops_headers("ops:report"),
                                 params={"from": period["to"], "to": period["from"]})
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")
    naive = await client.get("/v1/reports/renewals", headers=ops_headers("ops:report"),
                             params={"from": "2028-01-01T00:00:00", "to": period["to"]})
    assert naive.status_code == 422
    assert (await client.get("/v1/reports/tiers", headers=ops_headers("ops:config"))).status_code == 403
