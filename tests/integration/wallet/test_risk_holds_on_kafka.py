"""Short-window amount rules hold the whole recharge, and one review queue releases it
(issue 13), wallet and rewards on real Kafka and PostgreSQL.

Each test is an exploit of issue 13 that passed before: a small recharge then a large one
within the window was spendable at once (now its principal is held until approved in
rewards' review queue, and a reject keeps it unspendable until ops refund all of it); one
POS key recharging under made-up terminal ids slipped past the terminal velocity rule (now
refused, and its real terminal trips the rule)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from services.rewards.rules.fraud import FraudThresholds
from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode
from shared.events.rewards import BonusHeld, grant_id_for
from shared.events.wallet import BonusCredited, RechargeCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, rewards_events
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
REVIEWER = ops_headers("ops:review", user="ops_carol")
OPS = ops_headers("ops:refund", "ops:report", user="ops_dan")
# the wallet's default rule: above 3,000.00 by one member within 60 minutes -> hold_recharge
SMALL, LARGE = 10_000, 295_000


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def recharge_body(member_id: str, amount: int, **fields) -> dict:
    reference = uuid.uuid4().hex
    return {"member_id": member_id, "amount": amount, "currency": "CNY",
            "payment_method": "wechat_pay", "payment_reference": f"wx-{reference[:10]}",
            "pos_reference": reference, **fields}


def spend(member_id: str, amount: int) -> dict:
    return {"member_id": member_id, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": amount, "tenders": [{"method": "stored_value", "amount": amount}]}


@asynccontextmanager
async def wallet_clients(wallet, terminal: str = "pos_1"
                         ) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A POS terminal of store_1 and an operator (one credential each)."""
    transport = httpx.ASGITransport(app=wallet.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://w",
                                 headers=pos_headers("store_1", terminal=terminal)) as pos, \
            httpx.AsyncClient(transport=transport, base_url="http://w", headers=OPS) as ops:
        yield pos, ops


async def small_then_large(pos: httpx.AsyncClient, member_id: str) -> dict:
    small = await pos.post("/v1/recharges", json=recharge_body(member_id, SMALL), headers=key())
    large = await pos.post("/v1/recharges", json=recharge_body(member_id, LARGE), headers=key())
    assert (small.status_code, large.status_code) == (201, 201), large.text
    assert small.json()["status"] == "completed"
    receipt = large.json()
    assert (receipt["status"], receipt["principal_balance"], receipt["held_principal"]) == (
        "held", SMALL, LARGE)
    assert [r["rule"] for r in receipt["risk_reasons"]] == ["member_short_window"]
    return receipt


async def held_in_review(rewards, recharge_id: str) -> dict:
    async with api(rewards) as review:
        async def queue() -> list[dict]:
            return (await review.get("/v1/reviews", headers=REVIEWER)).json()["items"]
        items = await eventually(queue, lambda items: any(
            i["recharge_id"] == recharge_id for i in items))
    return next(i for i in items if i["recharge_id"] == recharge_id)


async def test_a_large_recharge_in_the_window_is_held_until_approved_then_spendable_once(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards:
        await enrol_in_wallet(wallet, "m_hold")  # registered: the large one is above a card's cap
        async with wallet_clients(wallet) as (pos, ops):
            held = await small_then_large(pos, "m_hold")
            recharge_id = held["recharge_id"]
            assert (await pos.get(f"/v1/recharges/{recharge_id}")).json()["status"] == "held"
            balance = (await pos.get("/v1/wallets/m_hold")).json()
            assert (balance["principal"], balance["held_principal"], balance["balance"]) == (
                SMALL, LARGE, SMALL)
            refused = await pos.post("/v1/purchases", json=spend("m_hold", 2 * SMALL), headers=key())
            assert (refused.status_code, refused.json()["code"]) == (422, "insufficient_balance")

            item = await held_in_review(rewards, recharge_id)
            assert item["principal_held"] is True and item["status"] == "held"
            assert item["reasons"][0]["rule"] == "wallet:member_short_window"
            async with api(rewards) as review:
                approved = await review.post(f"/v1/reviews/{grant_id_for(recharge_id)}/approve",
                                          json={"note": "regular customer"}, headers=REVIEWER)
            assert approved.status_code == 200, approved.text

            async def shown() -> dict:
                return (await pos.get(f"/v1/recharges/{recharge_id}")).json()
            view = await eventually(shown, lambda v: v["status"] == "completed"
                                    and v["bonus"]["status"] == "credited")
            assert view["released_by"] == "ops:ops_carol"
            bought = await pos.post("/v1/purchases", json=spend("m_hold", 2 * SMALL), headers=key())
            assert bought.status_code == 201, bought.text
            records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 4)
            verified = (await ops.get("/v1/ops/ledger/verify")).json()

    events = [decode(r.value, r.headers) for r in records]
    completed = next(e for e in events if isinstance(e, RechargeCompleted)
                     and e.recharge_id == recharge_id)
    assert completed.principal_held is True
    assert [r.rule for r in completed.risk_reasons] == ["member_short_window"]
    credits = [e for e in events if isinstance(e, BonusCredited) and e.recharge_id == recharge_id]
    assert len(credits) == 1 and credits[0].amount == view["bonus"]["amount"] == item["amount"]
    lots = await fetch_all(platform.database_url,
                           "SELECT kind, held FROM wallet.lots WHERE recharge_id = $1",
                           uuid.UUID(recharge_id))
    assert sorted((r["kind"], r["held"]) for r in lots) == [("bonus", False), ("principal", False)]
    assert verified["ok"] is True, verified


async def test_a_rejected_hold_stays_unspendable_and_its_refund_returns_all_of_it(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport) as rewards:
        await enrol_in_wallet(wallet, "m_reject")
        async with wallet_clients(wallet) as (pos, ops):
            recharge_id = (await small_then_large(pos, "m_reject"))["recharge_id"]
            await held_in_review(rewards, recharge_id)
            async with api(rewards) as review:
                rejected = await review.post(f"/v1/reviews/{grant_id_for(recharge_id)}/reject",
                                          json={"note": "card reported stolen"}, headers=REVIEWER)
            assert rejected.status_code == 200, rejected.text

            async def shown() -> dict:
                return (await pos.get(f"/v1/recharges/{recharge_id}")).json()
            view = await eventually(shown, lambda v: v["bonus"]["status"] == "rejected")
            assert view["status"] == "held"
            refused = await pos.post("/v1/purchases", json=spend("m_reject", 2 * SMALL), headers=key())
            assert (refused.status_code, refused.json()["code"]) == (422, "insufficient_balance")

            refund = await ops.post(f"/v1/recharges/{recharge_id}/refund", json={"reason": "rejected"},
                                    headers=key())
            assert refund.status_code == 201, refund.text
            assert refund.json()["principal_refunded"] == LARGE
            balance = (await pos.get("/v1/wallets/m_reject")).json()
            verified = (await ops.get("/v1/ops/ledger/verify")).json()
            after = (await shown())["status"]

    assert (balance["principal"], balance["held_principal"]) == (SMALL, 0)
    assert after == "refunded"
    assert verified["ok"] is True, verified


async def test_one_key_cannot_pose_as_many_terminals_and_its_own_trips_the_velocity_rule(
        platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    strict = RewardsSettings(fraud=FraudThresholds(terminal_velocity_max=2))
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport, settings=strict):
        # registered members: an unregistered card's bonus is rejected before the screen runs
        await enrol_in_wallet(wallet, *(f"m_velo_{n}" for n in range(3)))
        async with wallet_clients(wallet, terminal="pos_velo") as (pos, _):
            claimed = [await pos.post("/v1/recharges", json=recharge_body(
                f"m_claim_{n}", 50_000, terminal_id=f"made_up_{n}"), headers=key()) for n in range(5)]
            assert {(r.status_code, r.json()["code"]) for r in claimed} == {(403, "terminal_mismatch")}

            # one at a time, each decided before the next: three members' recharges lie on
            # different partitions, so one consumer batch would not keep their order
            recharged = []
            for n in range(3):
                recharged.append(await pos.post("/v1/recharges", json=recharge_body(
                    f"m_velo_{n}", 50_000), headers=key()))
                decisions = await rewards_events(kafka.bootstrap_servers, topics, n + 1)
            assert [r.status_code for r in recharged] == [201, 201, 201]

    third = recharged[2].json()["recharge_id"]
    held = [e for e in decisions if isinstance(e, BonusHeld)]
    assert [e.recharge_id for e in held] == [third]
    assert [r.rule for r in held[0].reasons] == ["terminal_velocity"]
