"""With the broker stopped the wallet still takes recharges: the HTTP routes need only the
database (the events wait in the outbox), `/readyz` reports the broker without taking the
replica out of the balancer, the relay logs the outage once when it begins and once when it
ends (it logged every retry), and every event arrives once the broker is back."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from structlog.testing import capture_logs

from services.wallet.service import SPEC as WALLET
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
UNPUBLISHED = "SELECT count(*) AS n FROM wallet.outbox WHERE published_at IS NULL"
LOUD = ("warning", "error", "info")


def body() -> dict:
    return {"member_id": f"m_{uuid.uuid4().hex[:8]}", "amount": 1_000, "currency": "CNY",
            "payment_method": "cash", "payment_reference": "c-1", "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos", "pos_reference": uuid.uuid4().hex}


async def backlog(platform) -> int:
    return (await fetch_all(platform.database_url, UNPUBLISHED))[0]["n"]


def lines(logs: list[dict], event: str) -> list[dict]:
    return [line for line in logs if line["event"] == event and line["log_level"] in LOUD]


async def test_recharges_go_on_while_the_broker_is_down_and_arrive_after(platform, kafka):
    if not kafka.can_restart:
        pytest.skip("this Kafka cannot be stopped from the test (not the local runner)")
    transport = KafkaTransport(kafka.bootstrap_servers)
    with capture_logs() as logs:
        async with running(WALLET, platform, transport) as wallet, httpx.AsyncClient(
                transport=httpx.ASGITransport(app=wallet.app), base_url="http://wallet",
                headers=pos_headers()) as http:
            async def recharge() -> str:
                answer = await http.post("/v1/recharges", json=body(),
                                         headers={"Idempotency-Key": uuid.uuid4().hex})
                assert answer.status_code == 201, answer.text
                return answer.json()["recharge_id"]

            ids = [await recharge()]
            await eventually(lambda: backlog(platform), lambda n: n == 0)
            outage = kafka.stopped()
            await asyncio.to_thread(outage.__enter__)
            try:
                ids += [await recharge() for _ in range(10)]  # all 201 without a broker
                assert await backlog(platform) == 10
                ready = await http.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json()["status"] == "degraded" and "kafka" in ready.json()["degraded"]
                # The relay's send waits for the broker; the outage is logged once.
                await eventually(lambda: wallet.relay.broker.down, lambda down: down,
                                 timeout=30)
                assert await backlog(platform) == 10  # nothing published, nothing lost
            finally:
                await asyncio.to_thread(outage.__exit__, None, None, None)
            await eventually(lambda: backlog(platform), lambda n: n == 0, timeout=90)
            ready = await http.get("/readyz")
            assert (ready.status_code, ready.json()["status"]) == (200, "ready")

    records = await read_topic(kafka.bootstrap_servers, Topics(platform.topic_prefix)
                               .events("wallet"), len(ids), timeout=60,
                               distinct=lambda r: dict(r.headers)["ce_id"])
    published = {RechargeCompleted.model_validate_json(r.value).recharge_id for r in records}
    assert published == set(ids)
    relay_lines = [line for line in logs if line.get("component") == "relay"]
    assert len(lines(relay_lines, "broker_unavailable")) == 1
    assert len(lines(relay_lines, "broker_available")) == 1
    assert len(lines(logs, "consumer_batch_failed")) <= 1
