"""Issue 16, cash-back on spend: rewards decides it on the wallet's PurchaseCompleted and
publishes CashbackGranted; the wallet credits it as a bonus lot (with the bonus expiry), and
a refund of the purchase takes it back in proportion from that lot; what the member spent
of it meanwhile is recorded as unrecovered; the books still balance (ledger = cached
balances = lots). All on Kafka, both services running."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from services.wallet.store.verification import verify_ledger
from shared.events.wallet import CashbackCredited, CashbackTakenBack
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api
from tests.integration.wallet.money import published
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


def purchase_body(member_id: str, total: int, method: str = "wechat_pay") -> dict:
    tender = {"method": method, "amount": total}
    if method != "stored_value":
        tender["reference"] = uuid.uuid4().hex
    return {"member_id": member_id, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1", "terminal_id": "pos_1", "tenders": [tender]}


async def bonus_of(database_url: str, member_id: str) -> int:
    rows = await fetch_all(database_url, "SELECT bonus FROM wallet.wallets WHERE member_id = $1 "
                           "AND currency = 'CNY'", member_id)
    return rows[0]["bonus"] if rows else 0


async def test_cashback_arrives_as_bonus_and_a_refund_claws_it_back(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    url = platform.database_url
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        async with api(rewards) as ops:
            offer = await ops.post("/v1/offers/cashback_10/versions", headers=ops_headers(
                "ops:config"), json={"kind": "cashback", "name": "10 % back", "currency": "CNY",
                                     "terms": {"bps": 1_000, "cap": 5_000},
                                     "effective_from": "2020-01-01T00:00:00Z"})
            assert offer.status_code == 201, offer.text

        async def bought(total: int, method: str = "wechat_pay") -> str:
            response = await pos.post("/v1/purchases", json=purchase_body("m_cb", total, method),
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            return response.json()["purchase_id"]

        async def refunded(purchase_id: str, amount: int) -> dict:
            response = await pos.post(f"/v1/purchases/{purchase_id}/refunds", json={"amount": amount},
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            return response.json()

        first = await bought(20_000)  # 10 % = 2,000 (under the 5,000 cap)
        await eventually(lambda: bonus_of(url, "m_cb"), lambda bonus: bonus == 2_000, timeout=60)
        [lot] = await fetch_all(url, "SELECT kind, source_kind, amount, expires_at FROM wallet.lots "
                                "WHERE member_id = 'm_cb'")
        half = await refunded(first, 10_000)
        after_half = await bonus_of(url, "m_cb")
        # the member spends 800 of the 1,000 left (all bonus: nothing else in the wallet)
        await bought(800, method="stored_value")
        rest = await refunded(first, 10_000)
        [credit] = await fetch_all(url, "SELECT amount, clawed_back, unrecovered FROM "
                                   "wallet.cashback_credits WHERE member_id = 'm_cb'")
        final = await bonus_of(url, "m_cb")
        [grant] = await fetch_all(url, "SELECT grant_id, kind, amount, purchase_id "
                                  "FROM rewards.cashback_grants "
                                  "WHERE member_id = 'm_cb'")
        async with wallet.engine.connect() as db:
            books = await verify_ledger(db)
        credits = await published(url, CashbackCredited)

    assert (lot["kind"], lot["source_kind"], lot["amount"]) == ("bonus", "cashback", 2_000)
    assert lot["expires_at"] is not None  # the wallet's bonus expiry applies
    assert (grant["kind"], grant["amount"], grant["purchase_id"]) == ("cashback", 2_000, first)
    assert half["cashback_clawed_back"] == 1_000 and after_half == 1_000
    # the second refund owes 1,000 more; only 200 is left in the lot, 800 was spent
    assert rest["cashback_clawed_back"] == 200 and final == 0
    assert (credit["amount"], credit["clawed_back"], credit["unrecovered"]) == (2_000, 1_200, 800)
    assert books["ok"], books["problems"]
    # the credit is on wallet.events once, so a subscriber can rebuild the bonus balance
    [credited] = credits
    assert (credited.grant_id, credited.purchase_id, credited.kind, credited.amount,
            credited.bonus_balance) == (grant["grant_id"], first, "cashback", 2_000, 2_000)


async def test_a_refund_under_a_spend_and_save_threshold_takes_its_reward_back(platform, kafka):
    """Spend-and-save: 6,000 + 5,000 reaches the 10,000 threshold (1,000 credited on the
    second purchase); refunding 2,000 of the first brings the spend to 9,000, so rewards
    publishes CashbackReversed and the wallet takes the 1,000 back; buying 1,000 more
    reaches 10,000 again and pays nothing (a threshold is decided once per member)."""
    transport = KafkaTransport(kafka.bootstrap_servers)
    url = platform.database_url
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        async with api(rewards) as ops:
            offer = await ops.post("/v1/offers/save_1000/versions", headers=ops_headers(
                "ops:config"), json={"kind": "spend_and_save", "name": "10,000 gets 1,000",
                                     "currency": "CNY", "terms": {"thresholds": [[10_000, 1_000]]},
                                     "effective_from": "2020-01-01T00:00:00Z"})
            assert offer.status_code == 201, offer.text

        async def bought(total: int) -> str:
            response = await pos.post("/v1/purchases", json=purchase_body("m_save", total),
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            return response.json()["purchase_id"]

        async def spent() -> int:
            rows = await fetch_all(url, "SELECT spent FROM rewards.spend_progress WHERE "
                                   "member_id = 'm_save' AND offer_id = 'save_1000'")
            return rows[0]["spent"] if rows else 0

        first = await bought(6_000)
        await bought(5_000)
        credited = await eventually(lambda: bonus_of(url, "m_save"), lambda b: b == 1_000, timeout=60)
        refund = await pos.post(f"/v1/purchases/{first}/refunds", json={"amount": 2_000},
                                headers={"Idempotency-Key": uuid.uuid4().hex})
        assert refund.status_code == 201, refund.text
        taken_back = await eventually(lambda: bonus_of(url, "m_save"), lambda b: b == 0, timeout=60)
        await bought(1_000)
        await eventually(spent, lambda s: s == 10_000, timeout=60)  # rewards counted it
        grants = await fetch_all(url, "SELECT amount FROM rewards.cashback_grants "
                                 "WHERE member_id = 'm_save'")
        reversed_events = await fetch_all(url, "SELECT count(*) AS n FROM rewards.outbox WHERE "
                                          "ce_type = 'patronage.rewards.CashbackReversed.v1'")
        [credit] = await fetch_all(url, "SELECT amount, clawed_back, unrecovered FROM "
                                   "wallet.cashback_credits WHERE member_id = 'm_save'")
        paid = await fetch_all(url, "SELECT threshold FROM rewards.spend_thresholds_paid "
                               "WHERE member_id = 'm_save'")
        async with wallet.engine.connect() as db:
            books = await verify_ledger(db)
        taken_back_events = await published(url, CashbackTakenBack)

    assert (credited, taken_back) == (1_000, 0)
    [taken_event] = taken_back_events  # wallet.events alone rebuilds the bonus balance
    assert (taken_event.amount, taken_event.unrecovered, taken_event.bonus_balance) == (1_000, 0, 0)
    assert [g["amount"] for g in grants] == [1_000] and reversed_events[0]["n"] == 1
    assert (credit["amount"], credit["clawed_back"], credit["unrecovered"]) == (1_000, 1_000, 0)
    assert paid == []
    assert await bonus_of(url, "m_save") == 0
    assert books["ok"], books["problems"]
