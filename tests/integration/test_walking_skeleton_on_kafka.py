"""The whole path on real infrastructure: POS recharge on wallet → outbox → Kafka
(CloudEvents headers) → rewards consumes it."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration


async def test_a_recharge_reaches_rewards_through_kafka(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    body = {"member_id": "m_42", "amount": 80_000, "currency": "CNY", "payment_method": "alipay",
            "payment_reference": "ali-9", "store_id": "store_1", "terminal_id": "pos_3",
            "channel": "pos", "pos_reference": uuid.uuid4().hex}

    async with running(WALLET, platform, transport) as wallet, running(REWARDS, platform, transport):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet",
                                     headers=pos_headers(body["store_id"], body["terminal_id"])) as client:
            response = await client.post("/v1/recharges", json=body,
                                         headers={"Idempotency-Key": "skeleton-1"})
        assert response.status_code == 201
        recharge_id = response.json()["recharge_id"]

        seen = await eventually(
            lambda: fetch_all(platform.database_url,
                              "SELECT * FROM rewards.recharges_seen WHERE member_id = 'm_42'"),
            lambda rows: len(rows) == 1)

    assert seen[0]["recharge_id"] == recharge_id and seen[0]["amount"] == 80_000
    records = await read_topic(kafka.bootstrap_servers,
                               Topics(platform.topic_prefix).events("wallet"), 1)
    # the member's first event on the topic is the recharge (later ones: bonus credit...)
    record = records[0]
    headers = {name: value.decode() for name, value in record.headers}
    assert headers["ce_type"] == "patronage.wallet.RechargeCompleted.v1"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_subject"] == "m_42" and record.key == b"m_42"
    event = RechargeCompleted.model_validate_json(record.value)
    assert str(event.event_id) == headers["ce_id"]
    assert (event.recharge_id, event.is_first_recharge, event.lifetime_recharged) == (
        recharge_id, True, 80_000)
