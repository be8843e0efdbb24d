"""End to end on Kafka: a POS buys through wallet's API; tiering moves the member's tier
and extends the membership from wallet's own PurchaseCompleted, bought against tiering's
signed quote (a renewal below the quote, or without one, is refused by the wallet); a refund
of the renewal through wallet revokes the term it bought."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.events.tiering import MembershipRenewed, MembershipRevoked, TierChanged
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import member_headers, pos_headers
from tests.support.runtime import eventually, read_topic, running

pytestmark = pytest.mark.integration


def paid_by_card(member: str, *items: dict) -> dict:
    total = sum(item["amount"] for item in items)
    return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1", "terminal_id": "pos_1", "items": list(items),
            "tenders": [{"method": "card", "amount": total, "reference": "card-1"}]}


def once() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_purchases_through_wallet_move_the_tier_and_buy_the_membership(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    topics = Topics(platform.topic_prefix)
    async with (running(WALLET, platform, transport) as wallet,
                running(TIERING, platform, transport) as tiering,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://wallet",
                                  headers=pos_headers()) as pos,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                  base_url="http://tiering") as app):
        enrolled = await app.post("/v1/members", headers=pos_headers(), json={"member_id": "m_e2e"})
        assert enrolled.status_code == 201
        spent = await pos.post("/v1/purchases", headers=once(), json=paid_by_card(
            "m_e2e", {"sku": "massage", "category": "services", "quantity": 1, "amount": 2_100_000}))
        assert spent.status_code == 201, spent.text

        await eventually(lambda: app.get("/v1/members/m_e2e/tier", headers=member_headers("m_e2e")),
                         lambda response: response.json()["tier"] == "gold")
        quote = (await app.get("/v1/members/m_e2e/renewal-quotes", headers=member_headers("m_e2e"))).json()
        one_year = quote["quotes"][0]
        assert (one_year["years"], one_year["price"], quote["segment"]) == (1, 19_440, "core")  # 40 % x 10 %
        line = {**one_year["product"], "quantity": 1, "quote_token": one_year["quote_token"]}
        cheaper = await pos.post("/v1/purchases", headers=once(), json=paid_by_card(
            "m_e2e", {**line, "amount": one_year["price"] - 1}))
        assert (cheaper.status_code, cheaper.json()["code"]) == (422, "price_not_quoted")
        unquoted = await pos.post("/v1/purchases", headers=once(), json=paid_by_card(
            "m_e2e", {**one_year["product"], "quantity": 1, "amount": 1}))
        assert (unquoted.status_code, unquoted.json()["code"]) == (422, "quote_required")
        bought = await pos.post("/v1/purchases", headers=once(), json=paid_by_card(
            "m_e2e", {**line, "amount": one_year["price"]}))
        assert bought.status_code == 201, bought.text

        # MemberEnrolled, TierChanged, EntitlementGranted (gold's, the term's), MembershipRenewed
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 4,
                                   distinct=lambda r: dict(r.headers)["ce_type"])
        [change] = [TierChanged.model_validate_json(r.value) for r in records
                    if dict(r.headers)["ce_type"] == TierChanged.ce_type().encode()]
        assert (change.to_tier, change.qualifying_amount) == ("gold", 2_100_000)
        [renewed] = [MembershipRenewed.model_validate_json(r.value) for r in records
                     if dict(r.headers)["ce_type"] == MembershipRenewed.ce_type().encode()]
        assert renewed.purchase_id == bought.json()["purchase_id"]
        assert (renewed.years, renewed.price) == (1, 19_440)
        terms = await app.get("/v1/members/m_e2e/membership/terms", headers=member_headers("m_e2e"))
        assert [t["purchase_id"] for t in terms.json()["items"]] == [renewed.purchase_id]

        refunded = await pos.post(f"/v1/purchases/{renewed.purchase_id}/refunds", headers=once(),
                                  json={"amount": 19_440, "reason": "changed their mind"})
        assert refunded.status_code == 201, refunded.text
        await eventually(lambda: app.get("/v1/members/m_e2e/membership", headers=member_headers("m_e2e")),
                         lambda response: response.json()["status"] == "none")
        shown = (await app.get("/v1/members/m_e2e/tier", headers=member_headers("m_e2e"))).json()
        assert (shown["tier"], shown["spend_12m"]) == ("gold", 2_100_000)
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 5,
                                   distinct=lambda r: dict(r.headers)["ce_type"])
        [revoked] = [MembershipRevoked.model_validate_json(r.value) for r in records
                     if dict(r.headers)["ce_type"] == MembershipRevoked.ce_type().encode()]
        assert (revoked.term_id, revoked.purchase_id, revoked.refund_id, revoked.price) == (
            renewed.term_id, renewed.purchase_id, refunded.json()["refund_id"], 19_440)
        assert revoked.membership_ends_at is None  # it was the member's only term
