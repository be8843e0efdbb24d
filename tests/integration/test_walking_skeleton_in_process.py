"""The same path over the in-process bus that `patronage dev` uses."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.transport import BusTransport
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


async def test_a_recharge_reaches_rewards_over_the_in_process_bus(bus_platform):
    transport = BusTransport()
    body = {"member_id": "m_7", "amount": 1_000, "currency": "CNY", "payment_method": "cash",
            "payment_reference": "c-1", "store_id": "s", "terminal_id": "t",
            "pos_reference": uuid.uuid4().hex}

    async with running(WALLET, bus_platform, transport) as wallet, \
            running(REWARDS, bus_platform, transport) as rewards:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet",
                                     headers=pos_headers(body["store_id"], body["terminal_id"])) as client:
            first = await client.post("/v1/recharges", json=body, headers={"Idempotency-Key": "a"})
            body2 = {**body, "pos_reference": uuid.uuid4().hex}
            await client.post("/v1/recharges", json=body2, headers={"Idempotency-Key": "b"})
        rows = await eventually(
            lambda: fetch_all(bus_platform.database_url,
                              "SELECT recharge_id FROM rewards.recharges_seen ORDER BY occurred_at"),
            lambda found: len(found) == 2)
        assert rows[0]["recharge_id"] == first.json()["recharge_id"]
        assert rewards.consumer.stats.applied == 2
