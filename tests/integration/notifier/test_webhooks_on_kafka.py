"""Webhooks on real Kafka and PostgreSQL: a recharge made on the wallet's API reaches a
webhook endpoint (a server inside the test) as its events, each exactly once, in the
member's order, signed so the Standard Webhooks reference library verifies them; a
member filter and an event-type filter hold; an endpoint that answers 503 and then is not
there at all gets every event once it is back, still in order."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.notifier.settings import NotifierSettings
from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import as_record, recharge
from tests.integration.notifier.webhook_receiver import Receiver, webhook_receiver
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import eventually, fetch_all, produce_raw, running

pytestmark = pytest.mark.integration

WEBHOOKS = ops_headers("ops:webhooks")
SUBSCRIPTIONS = "/v1/ops/webhooks/subscriptions"
WALLET_TYPES = ("patronage.wallet.RechargeCompleted.v1", "patronage.wallet.BonusCredited.v1")
# the receiver is on 127.0.0.1 (allowed in tests only); retries a moment apart, for minutes
FAST = NotifierSettings(webhooks_allow_private_targets=True, webhooks_delivery_interval_seconds=0.1,
                        webhooks_retry_schedule_seconds=(0.3,) * 600, delivery_interval_seconds=3600)


async def subscribe(client: httpx.AsyncClient, url: str, event_types: list[str],
                    member_id: str | None = None) -> dict:
    response = await client.post(SUBSCRIPTIONS, headers=WEBHOOKS, json={
        "url": url, "event_types": event_types, "member_id": member_id, "description": "test"})
    assert response.status_code == 201, response.text
    return response.json()


async def _deliveries(ops: httpx.AsyncClient, subscription_id: str) -> list[dict]:
    return (await ops.get(f"{SUBSCRIPTIONS}/{subscription_id}/deliveries",
                          headers=WEBHOOKS)).json()["items"]


def ids_in_order(requests) -> list[str]:
    return [request.headers["webhook-id"] for request in requests]


async def test_a_recharges_events_reach_the_endpoint_once_each_in_order_and_signed(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    async with webhook_receiver() as receiver, \
            running(WALLET, platform, transport) as wallet, running(REWARDS, platform, transport), \
            running(NOTIFIER, platform, transport, settings=FAST) as notifier, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                              base_url="http://notifier") as ops, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        every_member = await subscribe(ops, receiver.url("/all"),
                                       ["RechargeCompleted", "BonusCredited"])
        only_b = await subscribe(ops, receiver.url("/only-b"), ["*"], member_id="m_wh_b")

        async def paid(member_id: str) -> str:
            response = await pos.post("/v1/recharges", headers={"Idempotency-Key": uuid.uuid4().hex},
                                      json={"member_id": member_id, "amount": 50_000, "currency": "CNY",
                                            "payment_method": "cash", "payment_reference": uuid.uuid4().hex,
                                            "store_id": "store_1", "terminal_id": "pos_1",
                                            "channel": "pos",
                                            "pos_reference": uuid.uuid4().hex})
            assert response.status_code == 201, response.text
            recharge_id = response.json()["recharge_id"]
            await eventually(lambda: pos.get(f"/v1/recharges/{recharge_id}"),
                             lambda r: r.json()["bonus"]["status"] != "pending", timeout=60)
            return recharge_id

        await enrol_in_wallet(wallet, "m_wh_a", "m_wh_b")
        for member_id in ("m_wh_a", "m_wh_b", "m_wh_a"):
            await paid(member_id)
        # what the wallet published, member by member, in the order it published it
        published = await fetch_all(
            platform.database_url, "SELECT key, event_id::text, ce_type FROM wallet.outbox "
            "WHERE key IN ('m_wh_a', 'm_wh_b') AND ce_type = ANY($1) ORDER BY position",
            list(WALLET_TYPES))
        expected = {member: [r["event_id"] for r in published if r["key"] == member]
                    for member in ("m_wh_a", "m_wh_b")}
        await eventually(lambda: len(receiver.at("/all")), lambda n: n >= len(published), timeout=60)
        await eventually(lambda: receiver.at("/only-b"), lambda got: set(expected["m_wh_b"]) <= set(
            ids_in_order(got)) and any(r.event["type"] not in WALLET_TYPES for r in got), timeout=60)
        # the endpoint's 204 reaches the receiver before the notifier records it: wait until
        # the snapshot's deliveries are no longer pending, then judge them
        snapshot = {r["event_id"] for r in published}
        log = await eventually(
            lambda: _deliveries(ops, every_member["subscription_id"]),
            lambda items: all(d["status"] != "pending" for d in items if d["event_id"] in snapshot)
            and snapshot <= {d["event_id"] for d in items}, timeout=60)

    assert len(expected["m_wh_a"]) >= 3 and len(expected["m_wh_b"]) >= 2  # two recharges, a bonus
    received = receiver.at("/all")
    for member_id, event_ids in expected.items():
        theirs = [r for r in received if r.event["subject"] == member_id]
        assert ids_in_order(theirs) == event_ids  # each once, in the member's order
    for request in received:
        document = request.verified_by(every_member["secret"])
        assert document["id"] == request.headers["webhook-id"]
        assert document["type"] in WALLET_TYPES and document["data"]["member_id"] == document["subject"]
    # the log may already hold an event published after the snapshot above (e.g. the last
    # recharge's BonusCredited), still pending: judge the snapshot's deliveries
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in log
            if d["event_id"] in snapshot} == {("delivered", 1, 204)}
    for_b = receiver.at("/only-b")
    assert {r.verified_by(only_b["secret"])["subject"] for r in for_b} == {"m_wh_b"}
    assert len(ids_in_order(for_b)) == len(set(ids_in_order(for_b)))
    assert {r.event["type"] for r in for_b} > set(WALLET_TYPES)  # every type: rewards' too


async def test_an_endpoint_down_for_a_while_gets_every_event_once_it_is_back(platform, kafka):
    topics = Topics(platform.topic_prefix)
    await ensure_topics(kafka.bootstrap_servers, list(topics.all_event_topics()))
    events = [recharge(member, amount, START) for member, amount in (
        ("m_down_1", 100), ("m_down_1", 200), ("m_down_2", 300), ("m_down_1", 400))]
    receiver = Receiver(unavailable=True)
    await receiver.start()
    try:
        async with running(NOTIFIER, platform, KafkaTransport(kafka.bootstrap_servers),
                           settings=FAST) as notifier, \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                  base_url="http://notifier") as ops:
            subscription = await subscribe(ops, receiver.url("/down"), ["RechargeCompleted"])
            deliveries = f"{SUBSCRIPTIONS}/{subscription['subscription_id']}/deliveries"
            await produce_raw(kafka.bootstrap_servers, topics.events("wallet"),
                              [as_record(event) for event in events])
            await eventually(lambda: receiver.refused, lambda n: n >= 4, timeout=60)
            await receiver.stop()  # now not even a connection
            failing = await eventually(
                lambda: ops.get(deliveries, headers=WEBHOOKS),
                lambda r: any(d["last_error"] and "no connection" in d["last_error"]
                              for d in r.json()["items"]), timeout=30)
            receiver.unavailable = False
            await receiver.start()  # back, on the same port
            await eventually(lambda: len(receiver.received), lambda n: n >= 4, timeout=60)
            log = (await ops.get(deliveries, headers=WEBHOOKS)).json()["items"]
    finally:
        await receiver.stop()

    by_member = {member: [str(e.event_id) for e in events if e.member_id == member]
                 for member in ("m_down_1", "m_down_2")}
    for member, event_ids in by_member.items():
        assert ids_in_order([r for r in receiver.received if r.event["subject"] == member]) == event_ids
    # while the first of m_down_1's was being retried, their later ones were never tried
    waiting = sorted((d for d in failing.json()["items"] if d["member_id"] == "m_down_1"),
                     key=lambda d: d["delivery_id"])
    assert [d["attempts"] > 0 for d in waiting] == [True, False, False]
    assert {d["status"] for d in waiting} == {"pending"}
    assert {d["status"] for d in log} == {"delivered"} and max(d["attempts"] for d in log) >= 3
    for request in receiver.received:
        request.verified_by(subscription["secret"])
