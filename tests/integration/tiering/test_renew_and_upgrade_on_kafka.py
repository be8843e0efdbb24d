"""Renew and move up a tier, end to end on Kafka: a POS buys the quote's upgrade product
through wallet at the quoted price; tiering renews the membership and grants the next tier
for exactly the term (TierChanged on tiering.events, with the grant and its end); the grant
ends with the term, and the member falls back to the earned tier at the next review."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.clock import FrozenClock
from shared.events.tiering import MembershipRenewed, TierChanged
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import member_headers, pos_headers
from tests.support.runtime import eventually, read_topic, running

pytestmark = pytest.mark.integration
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def of_type(records, event_type):
    return [event_type.model_validate_json(r.value) for r in records
            if dict(r.headers)["ce_type"] == event_type.ce_type().encode()]


async def test_renew_and_upgrade_grants_the_next_tier_for_the_term_then_falls_back(platform, kafka):
    transport, clock = KafkaTransport(kafka.bootstrap_servers), FrozenClock(START)
    topics = Topics(platform.topic_prefix)
    async with (running(WALLET, platform, transport, clock=clock) as wallet,
                running(TIERING, platform, transport, clock=clock) as tiering,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://wallet",
                                  headers=pos_headers()) as pos,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app), base_url="http://tiering",
                                  headers=member_headers("m_up")) as app):
        enrolled = await app.post("/v1/members", json={"member_id": "m_up", "channel": "app"})
        assert enrolled.status_code == 201, enrolled.text
        quotes = (await app.get("/v1/members/m_up/renewal-quotes")).json()
        one_year = quotes["quotes"][0]
        upgrade = one_year["upgrade"]
        # potential: 360 x 0.8 x 0.9 = 259.20, plus 20 % of the list price (72.00) for the tier
        assert (one_year["price"], upgrade["price"], upgrade["tier"]) == (25_920, 33_120, "silver")
        assert upgrade["product"] == {"sku": "membership-1y-upgrade", "category": "membership"}
        bought = await pos.post("/v1/purchases", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "member_id": "m_up", "order_reference": "ord-up", "currency": "CNY",
            "total": upgrade["price"], "store_id": "store_1",
            "items": [{**upgrade["product"], "quantity": 1, "amount": upgrade["price"],
                       "quote_token": upgrade["quote_token"]}],
            "tenders": [{"method": "card", "amount": upgrade["price"], "reference": "card-1"}]})
        assert bought.status_code == 201, bought.text

        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 3)
        [renewed] = of_type(records, MembershipRenewed)
        [raised] = of_type(records, TierChanged)
        assert (renewed.years, renewed.price) == (1, 33_120)
        assert (raised.from_tier, raised.to_tier, raised.direction) == ("regular", "silver", "up")
        assert raised.grant_expires_at == renewed.term_end == START + timedelta(days=366)  # 2028: leap
        assert raised.reason.startswith("tier grant: renew and upgrade")
        [grant] = (await app.get("/v1/members/m_up/tier-grants")).json()["items"]
        assert (grant["grant_id"], grant["state"]) == (raised.grant_id, "active")

        clock.advance(renewed.term_end - clock.now() - timedelta(seconds=1))
        assert (await app.get("/v1/members/m_up/tier-grants")).json()["items"][0]["state"] == "active"
        clock.advance(timedelta(seconds=1))  # the term's end: the grant ends with it
        assert (await app.get("/v1/members/m_up/tier-grants")).json()["items"][0]["state"] == "expired"
        assert (await app.get("/v1/members/m_up/tier")).json()["tier"] == "silver"

        clock.advance(START.replace(year=2028) + timedelta(days=30) - clock.now())  # the review
        await TieringScheduler(tiering.context).run_once(clock.now())
        await eventually(lambda: app.get("/v1/members/m_up/tier"),
                         lambda answer: answer.json()["tier"] == "regular")
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 5)
        fell = of_type(records, TierChanged)[-1]
        assert (fell.from_tier, fell.to_tier, fell.direction) == ("silver", "regular", "down")
