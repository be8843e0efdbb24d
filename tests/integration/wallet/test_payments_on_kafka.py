"""Who may create value, on real Kafka and PostgreSQL (issue 13): an app recharge is
published once however often its provider calls back, a member's cash purchase never
reaches rewards (no points), and a card-number-shaped payment reference leaves the wallet
only as a token, which rewards' shared-reference rule still matches."""

from __future__ import annotations

import uuid

import httpx
import pytest

from patronage.fake_provider import pay
from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode
from shared.events.rewards import BonusGranted, PointsEarned
from shared.events.wallet import RechargeCompleted
from shared.settings import DEV_JWT_SECRET
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, rewards_events
from tests.integration.wallet.money import purchase_body
from tests.integration.wallet.payments import SECRET, SETTINGS, callback, create_intent, send
from tests.support.auth import member_headers, pos_headers
from tests.support.catalog import validated
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
CARD = "4111 1111 1111 1111"
RECHARGED = RechargeCompleted.ce_type().encode()
CARD_DIGITS = ("4111111111111111", CARD, "4111-1111-1111-1111")


async def test_an_app_recharge_is_published_once_and_a_members_cash_earns_nothing(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport, settings=SETTINGS) as wallet, \
            running(REWARDS, platform, transport) as rewards, api(rewards) as rewards_http, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                              base_url="http://wallet") as http:
        intent = (await create_intent(http, "m_app", 50_000)).json()
        signed = callback(intent, wallet.context.clock.now(), payment_id="fp_kafka")
        answers = [await send(http, signed) for _ in range(3)]
        cash = await http.post("/v1/purchases", headers={
            **member_headers("m_app"), "Idempotency-Key": "cash"}, json=purchase_body(
            "m_app", 0, total=10_000_000, tenders=[{"method": "cash", "amount": 10_000_000}]))
        own_money = await http.post("/v1/purchases", json=purchase_body("m_app", 10_000),
                                    headers={**member_headers("m_app"), "Idempotency-Key": "sv"})
        # a marker after everything else, on another member: once it is on the topic, a
        # second RechargeCompleted of m_app would have been relayed before it
        marker = await http.post("/v1/recharges", headers={
            **pos_headers(), "Idempotency-Key": "marker"}, json={
            "member_id": "m_marker", "amount": 100, "currency": "CNY", "payment_method": "cash",
            "payment_reference": "cash-1", "store_id": "store_1", "terminal_id": "pos_1",
            "pos_reference": "marker"})
        published = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 2,
                                     distinct=lambda r: r.key)
        earned = await eventually(
            lambda: rewards_http.get("/v1/members/m_app/points", headers=member_headers("m_app")),
            lambda response: response.json()["balance"] > 0)
        rewards_out = await rewards_events(kafka.bootstrap_servers, topics, 2,
                                           timeout=30)
        outbox = await fetch_all(platform.database_url,
                                 "SELECT key, ce_type FROM wallet.outbox ORDER BY event_id")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.json()["recharge_id"] for a in answers}) == 1
    assert (cash.status_code, cash.json()["code"]) == (403, "external_tender_not_allowed")
    assert own_money.status_code == 201 and marker.status_code == 201
    events = [decode(r.value, r.headers) for r in published]
    recharged = [e for e in events if isinstance(e, RechargeCompleted) and e.member_id == "m_app"]
    assert len(recharged) == 1  # three callbacks, one recharge, one event
    app_recharge = validated(RechargeCompleted, next(
        r.value for r in published if decode(r.value, r.headers) == recharged[0]))
    assert (app_recharge.recharge_id, app_recharge.channel, app_recharge.amount) == (
        answers[0].json()["recharge_id"], "app", 50_000)
    assert app_recharge.payment_reference.startswith("tok_")
    assert all(b"fp_kafka" not in r.value for r in published)  # the provider's id stays home
    money_in_or_out = sorted(r["ce_type"].split(".")[2] for r in outbox if r["key"] == "m_app"
                             and "BonusCredited" not in r["ce_type"])
    assert money_in_or_out == ["PurchaseCompleted", "RechargeCompleted"]  # not the cash one
    # the bonus for the app recharge, and points for the stored-value purchase only:
    # 100.00 at most earns 100 points; the refused 100,000.00 in cash would have earned 100,000
    assert {type(e) for e in rewards_out} <= {BonusGranted, PointsEarned}
    assert 0 < earned.json()["balance"] <= 100


async def test_a_card_number_as_payment_reference_is_never_published_and_still_matched(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport, settings=SETTINGS) as wallet, \
            running(REWARDS, platform, transport), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                              base_url="http://wallet", headers=pos_headers()) as pos:
        ids = []
        for member in ("m_card_1", "m_card_2", "m_card_3"):  # three members, one card
            response = await pos.post("/v1/recharges", headers={"Idempotency-Key": member}, json={
                "member_id": member, "amount": 10_000, "currency": "CNY", "payment_method": "card",
                "payment_reference": CARD, "store_id": "store_1", "terminal_id": "pos_1",
                "pos_reference": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            ids.append(response.json()["recharge_id"])
            # one at a time: members land on different partitions
            await rewards_events(kafka.bootstrap_servers, topics, len(ids))
        # the three recharges, and (None) the first member's BonusCredited
        published = await read_topic(
            kafka.bootstrap_servers, topics.events("wallet"), 4,
            distinct=lambda r: r.key if ("ce_type", RECHARGED) in r.headers else None)
        decisions = await rewards_events(kafka.bootstrap_servers, topics, 3)
        outbox = await fetch_all(platform.database_url, "SELECT payload FROM wallet.outbox")
        stored = await fetch_all(platform.database_url,
                                 "SELECT DISTINCT payment_reference FROM wallet.recharges")

    assert [r["payment_reference"] for r in stored] == [CARD]  # the wallet keeps it
    for raw in [r.value for r in published] + [bytes(r["payload"]) for r in outbox]:
        assert not any(digits.encode() in raw for digits in CARD_DIGITS)
    recharges = [validated(RechargeCompleted, r.value) for r in published
                 if ("ce_type", RECHARGED) in r.headers]
    assert len(recharges) == 3
    assert len({e.payment_reference for e in recharges}) == 1  # one card, one token
    assert {e.payment_reference_masked for e in recharges} == {"****1111"}
    by_recharge = {d.recharge_id: d for d in decisions}
    assert isinstance(by_recharge[ids[0]], BonusGranted)
    third = by_recharge[ids[2]]  # a third member on the same card: the token matched
    assert not isinstance(third, BonusGranted)
    assert "shared_payment_reference" in [reason.rule for reason in third.reasons]


async def test_the_fake_provider_pays_an_intent_over_http(platform, kafka):
    async with running(WALLET, platform, KafkaTransport(kafka.bootstrap_servers),
                       settings=SETTINGS) as wallet, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                              base_url="http://wallet") as http:
        intent = (await create_intent(http, "m_dev", 20_000)).json()
        paid = await pay(http, intent["intent_id"], secret=SECRET, jwt_secret=DEV_JWT_SECRET,
                         now=wallet.context.clock.now())
        shown = await http.get(f"/v1/payment-intents/{intent['intent_id']}",
                               headers=member_headers("m_dev"))

    assert (paid.status_code, paid.json()["outcome"]) == (200, "recharged")
    assert (shown.json()["status"], shown.json()["recharge_id"]) == (
        "succeeded", paid.json()["recharge_id"])
