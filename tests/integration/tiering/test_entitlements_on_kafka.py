"""End to end on Kafka: a member's spend through the wallet makes them gold in tiering,
which grants the year's free services (`EntitlementGranted`) and tells the wallet the tier
(`TierChanged`); the wallet, with the tier discount at the till on, then takes gold's 5 %
off the next purchase and says so in `PurchaseCompleted`; a till redeems a free service
(`EntitlementRedeemed`); a renewal grants the term's perks."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.events.tiering import EntitlementGranted, EntitlementRedeemed
from shared.events.wallet import PurchaseCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration


def by_card(member: str, total: int, paid: int) -> dict:
    return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1",
            "items": [{"sku": "facial", "category": "services", "quantity": 1, "amount": total}],
            "tenders": [{"method": "card", "amount": paid, "reference": "card-1"}]}


def of_type(records: list, event_class) -> list:
    wanted = event_class.ce_type().encode()
    return [event_class.model_validate_json(r.value) for r in records
            if dict(r.headers).get("ce_type") == wanted]


async def test_gold_reached_on_kafka_grants_entitlements_and_the_till_discount(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    topics = Topics(platform.topic_prefix)
    settings = WalletSettings(tier_discount_at_till=True)
    once = lambda: {"Idempotency-Key": uuid.uuid4().hex}  # noqa: E731
    async with (running(WALLET, platform, transport, settings=settings) as wallet,
                running(TIERING, platform, transport) as tiering,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                  base_url="http://wallet", headers=pos_headers()) as till,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                  base_url="http://tiering", headers=pos_headers()) as app):
        assert (await app.post("/v1/members", json={"member_id": "m_k"})).status_code == 201
        first = await till.post("/v1/purchases", headers=once(), json=by_card("m_k", 2_100_000, 2_100_000))
        assert first.status_code == 201, first.text
        assert (first.json()["tier"], first.json()["tier_discount_amount"]) == ("regular", 0)

        async def wallet_tier():
            return await fetch_all(platform.database_url,
                                   "SELECT tier FROM wallet.member_tiers WHERE member_id = 'm_k'")
        await eventually(wallet_tier, lambda rows: [r["tier"] for r in rows] == ["gold"], timeout=60)
        second = await till.post("/v1/purchases", headers=once(), json=by_card("m_k", 10_000, 9_500))
        assert second.status_code == 201, second.text
        assert (second.json()["tier"], second.json()["tier_discount_amount"], second.json()["total"]) == (
            "gold", 500, 9_500)

        redeemed = await app.post("/v1/members/m_k/entitlements/free_service/redemptions",
                                  headers={**pos_headers(terminal="pos_9"), **once()})
        assert redeemed.status_code == 201, redeemed.text
        left = await app.get("/v1/members/m_k/entitlements")  # the till shows what is left
        assert [(e["code"], e["remaining"]) for e in left.json()["items"]] == [("free_service", 2)]

        wallet_records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 2)
        # MemberEnrolled, TierChanged, EntitlementGranted, EntitlementRedeemed: one partition
        tiering_records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 4,
                                           distinct=lambda r: dict(r.headers).get("ce_type"))

    discounted = [p for p in of_type(wallet_records, PurchaseCompleted) if p.total == 9_500]
    assert [(p.tier, p.tier_discount_bps, p.tier_discount_amount) for p in discounted] == [("gold", 500, 500)]
    [granted] = of_type(tiering_records, EntitlementGranted)
    assert (granted.member_id, granted.code, granted.quota, granted.tier) == (
        "m_k", "free_service", 3, "gold")
    [redemption] = of_type(tiering_records, EntitlementRedeemed)
    assert (redemption.store_id, redemption.terminal_id, redemption.used) == ("store_1", "pos_9", 1)
    assert str(redemption.redemption_id) == redeemed.json()["redemption_id"]
