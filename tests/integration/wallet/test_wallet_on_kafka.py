"""The wallet on real Kafka and PostgreSQL: RechargeCompleted (written by the recharge's
stored function) reaches the topic with CloudEvents headers, valid by the catalog; a
BonusGranted delivered three times credits once; two concurrent recharges with the same
Idempotency-Key move money once."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.wallet import BonusCredited, RechargeCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.wallet.money import granted
from tests.support.auth import pos_headers
from tests.support.catalog import validated
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


def body(member: str) -> dict:
    return {"member_id": member, "amount": 50_000, "currency": "CNY", "payment_method": "alipay",
            "payment_reference": "ali-1", "store_id": "store_1", "terminal_id": "pos_1",
            "channel": "pos", "pos_reference": uuid.uuid4().hex}


async def test_recharge_then_bonus_granted_three_times_credits_once(platform, kafka):
    topics = Topics(platform.topic_prefix)
    async with running(WALLET, platform, KafkaTransport(kafka.bootstrap_servers)) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet", headers=pos_headers()) as client:
            receipt = (await client.post("/v1/recharges", json=body("m_k"),
                                         headers={"Idempotency-Key": "k-1"})).json()
            grant = granted("m_k", receipt["recharge_id"], 8_000)
            message = ("m_k", grant.to_json(), to_kafka_headers(grant))
            await produce_raw(kafka.bootstrap_servers, topics.events("rewards"), [message] * 3)

            records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 2)
            lots = await eventually(
                lambda: fetch_all(platform.database_url,
                                  "SELECT kind, amount FROM wallet.lots WHERE kind = 'bonus'"),
                lambda rows: len(rows) >= 1)
            await eventually(lambda: wallet.consumer.stats.duplicates, lambda n: n == 2)
            wallets = await fetch_all(platform.database_url, "SELECT * FROM wallet.wallets")

    headers = {name: value.decode() for name, value in records[0].headers}
    assert headers["ce_type"] == RechargeCompleted.ce_type()
    assert headers["ce_specversion"] == "1.0" and headers["ce_source"] == "/patronage/wallet"
    assert headers["ce_subject"] == "m_k" and records[0].key == b"m_k"
    completed = decode(records[0].value, records[0].headers)
    # as published through the relay: the catalog's model and its exported JSON Schema
    assert validated(RechargeCompleted, records[0].value) == completed
    assert str(completed.event_id) == headers["ce_id"]
    assert (completed.recharge_id, completed.is_first_recharge, completed.lifetime_recharged) == (
        receipt["recharge_id"], True, 50_000)
    credited = decode(records[1].value, records[1].headers)
    assert isinstance(credited, BonusCredited) and credited.bonus_balance == 8_000
    assert credited.causation_id == grant.event_id
    assert [(r["kind"], r["amount"]) for r in lots] == [("bonus", 8_000)]
    assert [(w["principal"], w["bonus"]) for w in wallets] == [(50_000, 8_000)]


async def test_two_concurrent_recharges_with_one_key_move_money_once(platform, kafka):
    topics = Topics(platform.topic_prefix)
    same = body("m_dup")
    async with running(WALLET, platform, KafkaTransport(kafka.bootstrap_servers)) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet", headers=pos_headers()) as client:
            responses = await asyncio.gather(*(
                client.post("/v1/recharges", json=same, headers={"Idempotency-Key": "dup-1"})
                for _ in range(2)))
            retried = await client.post("/v1/recharges", json=same, headers={"Idempotency-Key": "dup-1"})
            records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 1)
            rows = await fetch_all(platform.database_url, "SELECT principal FROM wallet.wallets")
            outbox = await fetch_all(platform.database_url, "SELECT event_id FROM wallet.outbox")

    assert {r.status_code for r in responses} <= {201, 409} and 201 in {r.status_code for r in responses}
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    created = next(r for r in responses if r.status_code == 201)
    assert retried.json() == created.json()
    assert [r["principal"] for r in rows] == [50_000]
    assert len(outbox) == 1 and str(outbox[0]["event_id"]) == dict(records[0].headers)["ce_id"].decode()
