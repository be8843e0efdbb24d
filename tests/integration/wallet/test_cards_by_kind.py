"""Cards by kind, on real Kafka and PostgreSQL: an id tiering never enrolled is an
unregistered card (caps 1,000.00 per recharge and per balance, no bonus); once its
`MemberEnrolled` is on `tiering.events` and the wallet has consumed it, the same id has the
registered caps (5,000.00) and earns its bonus. `GET /v1/wallets/{id}/limits` shows each
state. Before cards had kinds, the 1,000.00 recharge below got a bonus and 1,000.01 passed.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.rewards import BonusRejected
from shared.events.wallet import RechargeCompleted
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import rewards_events
from tests.support.auth import member_headers, pos_headers
from tests.support.enrolment import enrolment
from tests.support.runtime import eventually, produce_raw, read_topic, running

pytestmark = pytest.mark.integration
CARD = "card_8812"


def body(amount: int) -> dict:
    return {"member_id": CARD, "amount": amount, "currency": "CNY", "payment_method": "cash",
            "payment_reference": f"cash-{uuid.uuid4().hex[:8]}", "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos", "pos_reference": uuid.uuid4().hex}


async def test_an_unregistered_card_has_the_card_caps_and_no_bonus_until_the_member_enrols(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)

    # no short-window risk rules: this drives one member to the caps within minutes, which
    # the default rule (3,000.00 an hour) would rightly hold; caps are the subject here
    async with running(WALLET, platform, transport, settings=WalletSettings(risk=())) as wallet, \
            running(REWARDS, platform, transport), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        async def recharge(amount: int) -> httpx.Response:
            return await pos.post("/v1/recharges", json=body(amount),
                                  headers={"Idempotency-Key": uuid.uuid4().hex})

        async def limits() -> dict:
            response = await pos.get(f"/v1/wallets/{CARD}/limits")
            assert response.status_code == 200, response.text
            return response.json()

        async def bonus_status(recharge_id: str) -> str:
            return (await pos.get(f"/v1/recharges/{recharge_id}")).json()["bonus"]["status"]

        assert await limits() == {"member_id": CARD, "currency": "CNY", "card_kind": "card",
                                  "max_recharge": 100_000, "max_balance": 100_000,
                                  "balance": 0, "room_left": 100_000}
        above = await recharge(100_001)
        assert (above.status_code, above.json()["code"]) == (422, "recharge_above_limit")
        assert "1000.00 CNY (the card cap)" in above.json()["detail"]

        at_cap = await recharge(100_000)
        assert at_cap.status_code == 201, at_cap.text
        assert at_cap.json()["card_kind"] == "card"
        card_recharge = at_cap.json()["recharge_id"]
        [decision] = await rewards_events(kafka.bootstrap_servers, topics, 1)
        assert isinstance(decision, BonusRejected) and decision.recharge_id == card_recharge
        assert [reason.rule for reason in decision.reasons] == ["unregistered_card"]
        await eventually(lambda: bonus_status(card_recharge), lambda s: s == "rejected")
        assert (await limits())["room_left"] == 0
        over = await recharge(1)
        assert (over.status_code, over.json()["code"]) == (422, "balance_limit_exceeded")
        assert "(the card cap)" in over.json()["detail"]

        # tiering enrols the member: MemberEnrolled on tiering.events (twice: idempotent)
        await ensure_topics(kafka.bootstrap_servers, [topics.events("tiering")])
        await produce_raw(kafka.bootstrap_servers, topics.events("tiering"), [
            (CARD, event.to_json(), list(to_kafka_headers(event)))
            for event in (enrolment(CARD), enrolment(CARD))])
        registered = await eventually(limits, lambda view: view["card_kind"] == "registered")
        assert registered == {"member_id": CARD, "currency": "CNY", "card_kind": "registered",
                              "max_recharge": 500_000, "max_balance": 500_000,
                              "balance": 100_000, "room_left": 400_000}

        enrolled = await recharge(50_000)
        assert enrolled.status_code == 201, enrolled.text
        assert enrolled.json()["card_kind"] == "registered"
        enrolled_recharge = enrolled.json()["recharge_id"]
        await eventually(lambda: bonus_status(enrolled_recharge), lambda s: s == "credited")

        # up to 5,000.00 of stored value, bonus included, and not a fen more
        room = (await limits())["room_left"]
        assert 0 < room < 350_000  # the bonus counts as stored value
        to_cap = await recharge(room)
        assert to_cap.status_code == 201, to_cap.text
        assert to_cap.json()["balance"] == 500_000
        full = await limits()
        assert (full["card_kind"], full["balance"], full["room_left"]) == ("registered", 500_000, 0)
        beyond = await recharge(1)
        assert (beyond.status_code, beyond.json()["code"]) == (422, "balance_limit_exceeded")
        assert "5000.00 CNY (the registered cap)" in beyond.json()["detail"]

        # the member reads their own caps; nobody else's
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://w") as app:
            own = await app.get(f"/v1/wallets/{CARD}/limits", headers=member_headers(CARD))
            other = await app.get(f"/v1/wallets/{CARD}/limits", headers=member_headers("m_x"))
        assert own.status_code == 200 and own.json()["card_kind"] == "registered"
        assert other.status_code == 403

        # 4 identities: the three RechargeCompleted, every other wallet event as one
        records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 4,
                                   distinct=lambda r: r.value if b"RechargeCompleted" in r.value
                                   else b"")
    kinds = {e.recharge_id: e.card_kind for e in (decode(r.value, r.headers) for r in records)
             if isinstance(e, RechargeCompleted)}
    assert kinds == {card_recharge: "card", enrolled_recharge: "registered",
                     to_cap.json()["recharge_id"]: "registered"}
