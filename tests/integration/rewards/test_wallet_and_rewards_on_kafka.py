"""Wallet and rewards together on real Kafka and PostgreSQL: the POS recharges on wallet,
rewards decides, wallet credits what was granted and nothing else; purchases on wallet earn
points, redeem coupons and, refunded, give the points back."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode
from shared.events.rewards import BonusHeld
from shared.events.wallet import BonusCredited
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, rewards_events
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, read_topic, running

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif("rewards" not in WALLET.subscribes_to,
                       reason="the wallet does not consume rewards' decisions yet"),
]
REVIEWER = ops_headers("ops:review", user="ops_carol")


def body(member_id: str, amount: int) -> dict:
    return {"member_id": member_id, "amount": amount, "currency": "CNY",
            "payment_method": "wechat_pay", "payment_reference": f"wx-{uuid.uuid4().hex[:8]}",
            "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
            "pos_reference": uuid.uuid4().hex}


async def test_granted_bonuses_are_credited_held_ones_only_after_approval_rejected_never(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)

    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        async def recharge(member_id: str, amount: int) -> str:
            response = await pos.post("/v1/recharges", json=body(member_id, amount),
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            return response.json()["recharge_id"]

        async def bonus_status(recharge_id: str) -> str:
            return (await pos.get(f"/v1/recharges/{recharge_id}")).json()["bonus"]["status"]

        # registered members (an unregistered card's bonus is rejected: test_cards_by_kind.py)
        await enrol_in_wallet(wallet, "m_normal", "m_big_ok", "m_big_no")
        normal = await recharge("m_normal", 50_000)
        approved = await recharge("m_big_ok", 300_000)
        refused = await recharge("m_big_no", 300_000)
        decisions = await rewards_events(kafka.bootstrap_servers, topics, 3)
        held = {e.recharge_id: e for e in decisions if isinstance(e, BonusHeld)}
        assert held.keys() == {approved, refused}
        await eventually(lambda: bonus_status(approved), lambda status: status == "held")

        async with api(rewards) as ops:
            ok = await ops.post(f"/v1/reviews/{held[approved].grant_id}/approve",
                                json={"note": "known customer"}, headers=REVIEWER)
            no = await ops.post(f"/v1/reviews/{held[refused].grant_id}/reject",
                                json={"note": "stolen card"}, headers=REVIEWER)
        assert (ok.status_code, no.status_code) == (200, 200)
        await eventually(lambda: bonus_status(refused), lambda status: status == "rejected")
        # 3 identities: every other wallet event counts as one, each credit as its own
        records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 3,
                                   distinct=lambda r: r.value if b"BonusCredited" in r.value else b"")
        assert await bonus_status(normal) == "credited"
        assert await bonus_status(approved) == "credited"

    credited = {e.recharge_id: e for e in (decode(r.value, r.headers) for r in records)
                if isinstance(e, BonusCredited)}
    assert credited.keys() == {normal, approved}
    assert credited[normal].amount == 8_000 + 2_500
    assert credited[approved].amount == held[approved].amount == 20_000 + 15_000


async def test_wallet_purchases_earn_points_redeem_a_coupon_once_and_refunds_reverse_points(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)

    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos, api(rewards) as ops:
        issued = await ops.post("/v1/coupons", json={
            "member_id": "m_shop", "template_id": "save10_over100", "reason": "campaign"},
            headers={**ops_headers("ops:config"), "Idempotency-Key": uuid.uuid4().hex})
        code = issued.json()["code"]

        async def buy(total: int) -> str:
            response = await pos.post("/v1/purchases", headers={"Idempotency-Key": uuid.uuid4().hex},
                                      json={"member_id": "m_shop", "order_reference": uuid.uuid4().hex,
                                            "currency": "CNY", "total": total, "store_id": "store_1",
                                            "terminal_id": "pos_1", "coupon_codes": [code],
                                            "tenders": [{"method": "wechat_pay", "amount": total,
                                                         "reference": uuid.uuid4().hex}]})
            assert response.status_code == 201, response.text
            return response.json()["purchase_id"]

        first = await buy(11_000)
        await buy(20_000)  # the same code again: the till let it through, rewards does not
        refunded = await pos.post(f"/v1/purchases/{first}/refunds", json={"amount": 5_500},
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
        assert refunded.status_code == 201, refunded.text
        # CouponIssued, CouponRedeemed, PointsEarned x2, PointsRedeemed (the reversal)
        emitted = await rewards_events(kafka.bootstrap_servers, topics, 5)

    kinds = [type(e).__name__ for e in emitted]
    assert kinds == ["CouponIssued", "CouponRedeemed", "PointsEarned", "PointsEarned",
                     "PointsRedeemed"]
    redeemed, earned_first, earned_second, reversal = emitted[1:]
    assert redeemed.purchase_id == first
    assert (earned_first.points, earned_second.points) == (110, 200)
    assert (reversal.points, reversal.balance) == (55, 255)
