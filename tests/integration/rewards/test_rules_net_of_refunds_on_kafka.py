"""Issue 13, rules net of refunds: a lifetime figure that unlocks a reward counts recharge
refunds. Before, recharge 3,000 -> refund -> recharge 100 got the cumulative rebate ("3,000
recharged before this one") for good; now the refunded principal comes off first. The
refunded first recharge does not make the next one "first" again (our choice: otherwise a
refund would buy a second first-recharge bonus)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.events.wallet import RechargeRefunded
from shared.transport import BusTransport, KafkaTransport
from tests.integration.rewards.feed import api, apply, recharge
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


def recharge_body(member_id: str, amount: int) -> dict:
    return {"member_id": member_id, "amount": amount, "currency": "CNY",
            "payment_method": "cash", "payment_reference": f"cash-{uuid.uuid4().hex[:8]}",
            "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
            "pos_reference": uuid.uuid4().hex}


async def decision(database_url: str, recharge_id: str) -> list[dict]:
    rows = await fetch_all(database_url, "SELECT rules::text AS rules FROM "
                           "rewards.bonus_decisions WHERE recharge_id = $1", recharge_id)
    return rows and json.loads(rows[0]["rules"])


async def test_recharge_refund_recharge_does_not_unlock_the_cumulative_rebate(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport) as wallet, running(REWARDS, platform, transport), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        await enrol_in_wallet(wallet, "m_churn")  # a registered member: 3,000 is above a card's cap

        async def recharged(amount: int) -> str:
            response = await pos.post("/v1/recharges", json=recharge_body("m_churn", amount),
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            return response.json()["recharge_id"]

        big = await recharged(300_000)
        await eventually(lambda: decision(platform.database_url, big), bool)
        refunded = await pos.post(f"/v1/recharges/{big}/refund", json={"reason": "changed mind"},
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
        assert refunded.status_code == 201, refunded.text
        assert refunded.json()["principal_refunded"] == 300_000
        await eventually(lambda: fetch_all(platform.database_url, "SELECT 1 FROM "
                                           "rewards.refunds_seen WHERE source_id = $1", big), bool)
        small = await recharged(10_000)
        rules = await eventually(lambda: decision(platform.database_url, small), bool)

    # the ladder's 100 -> 10 only: no "Loyal member rebate" (300,000 gross, 0 net before it)
    # and no second "First recharge" extra
    assert [(r["offer_id"], r["amount"]) for r in rules] == [("ladder_cny", 1_000)]


async def test_a_refund_takes_its_principal_out_of_the_high_value_segment(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        async with api(rewards) as ops:
            campaign = await ops.post("/v1/offers/high_value_x2/versions", headers=ops_headers(
                "ops:config"), json={"kind": "campaign", "name": "High value x2", "terms": {
                    "bonus_bps": 20_000, "segments": ["high_value"]},
                    "effective_from": "2020-01-01T00:00:00Z"})
            assert campaign.status_code == 201, campaign.text
        whale = recharge("m_whale", 1_000_000, lifetime=1_000_000)
        kept = recharge("m_kept", 1_000_000, lifetime=1_000_000)
        for event in (whale, kept):
            await apply(rewards, event.model_copy(update={"occurred_at": datetime(2026, 1, 1, tzinfo=UTC)}))
        await apply(rewards, RechargeRefunded(
            occurred_at=datetime(2026, 1, 2, tzinfo=UTC), member_id="m_whale", refund_id="rf-whale",
            recharge_id=whale.recharge_id, currency="CNY", principal_refunded=600_000,
            bonus_clawed_back=0))
        next_whale = recharge("m_whale", 10_000, lifetime=1_010_000)
        next_kept = recharge("m_kept", 10_000, lifetime=1_010_000)
        for event in (next_whale, next_kept):
            await apply(rewards, event)

    url = bus_platform.database_url
    assert "high_value_x2" in [r["offer_id"] for r in await decision(url, next_kept.recharge_id)]
    assert "high_value_x2" not in [r["offer_id"] for r in await decision(url, next_whale.recharge_id)]
