"""Bonus expiry on a clock, on real Kafka and PostgreSQL (issue 20): a credited bonus lot
expires when its time comes without anyone asking (the wallet's `bonus_expiry` job), and
`BonusExpired` is published once — two replicas sweeping at the same moment, and a second
round, expire nothing more. Before, expiry ran only on demand and published nothing, so a
subscriber could not follow the member's bonus balance."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest

from services.wallet.service import SPEC as WALLET
from shared.clock import TravellingClock
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.rewards import BonusGranted, grant_id_for
from shared.events.wallet import BonusCredited, BonusExpired
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


def the_job(runtime, name: str):
    [job] = [job for job in runtime.jobs if getattr(job, "name", None) == name]
    return job


async def test_a_due_lot_expires_on_schedule_and_bonus_expired_is_published_once(platform, kafka):
    topics, clock = Topics(platform.topic_prefix), TravellingClock()
    async with running(WALLET, platform, KafkaTransport(kafka.bootstrap_servers), clock=clock) as one, \
            running(WALLET, platform, KafkaTransport(kafka.bootstrap_servers), clock=clock) as two:
        await enrol_in_wallet(one, "m_exp")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=one.app),
                                     base_url="http://w", headers=pos_headers("store_1")) as pos:
            reference = uuid.uuid4().hex
            paid = (await pos.post("/v1/recharges", headers={"Idempotency-Key": reference}, json={
                "member_id": "m_exp", "amount": 50_000, "currency": "CNY",
                "payment_method": "cash", "payment_reference": reference,
                "pos_reference": reference})).json()
            grant = BonusGranted(member_id="m_exp", grant_id=grant_id_for(paid["recharge_id"]),
                                 recharge_id=paid["recharge_id"], amount=8_000, currency="CNY",
                                 occurred_at=clock.now())
            await produce_raw(kafka.bootstrap_servers, topics.events("rewards"),
                              [("m_exp", grant.to_json(), list(to_kafka_headers(grant)))])
            await eventually(lambda: pos.get("/v1/wallets/m_exp"),
                             lambda response: response.json()["bonus"] == 8_000)

            clock.travel_to(clock.now() + timedelta(days=366))  # past the default 12 months
            sweeps = await asyncio.gather(the_job(one, "bonus_expiry").run_once(),
                                          the_job(two, "bonus_expiry").run_once())
            again = await the_job(one, "bonus_expiry").run_once()
            after = (await pos.get("/v1/wallets/m_exp")).json()

    assert sorted(s["lots"] if s else 0 for s in sweeps) == [0, 1] and again is None
    assert (after["principal"], after["bonus"]) == (50_000, 0)
    records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 3)
    events = [decode(r.value, r.headers) for r in records]
    expired = [e for e in events if isinstance(e, BonusExpired)]
    [credited] = [e for e in events if isinstance(e, BonusCredited)]
    assert len(expired) == 1
    assert (expired[0].grant_id, expired[0].amount, expired[0].bonus_balance) == (
        credited.grant_id, 8_000, 0)
    assert expired[0].expires_at > credited.occurred_at
