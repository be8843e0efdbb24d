"""Webhooks on PostgreSQL with an endpoint inside the test, the delivery job run at chosen
moments: the ops API (secret shown once, paging, changes audited), the private-network
guard at subscription and at delivery time, filters and one delivery per (subscription,
event), parking after the retry schedule and a manual redelivery (idempotent), an
endpoint disabled after failing for the whole window, with WebhookEndpointDisabled, and
redirects not followed."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from services.notifier.handlers import on_events_for_webhooks
from services.notifier.jobs.webhook_delivery import WebhookDeliveryJob
from services.notifier.service import SPEC as NOTIFIER
from services.notifier.settings import NotifierSettings
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import coupon, recharge
from tests.integration.notifier.webhook_receiver import Receiver, webhook_receiver
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration

WEBHOOKS = ops_headers("ops:webhooks")
SUBSCRIPTIONS = "/v1/ops/webhooks/subscriptions"
SETTINGS = NotifierSettings(
    webhooks_allow_private_targets=True, webhooks_retry_schedule_seconds=(1, 1),
    webhooks_disable_after_seconds=3600, webhooks_delivery_interval_seconds=3600,
    delivery_interval_seconds=3600)


@pytest.fixture
async def notifier(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(NOTIFIER, bus_platform, BusTransport(), clock=FrozenClock(START),
                       settings=SETTINGS) as runtime:
        yield runtime


@pytest.fixture
async def ops(notifier) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                 base_url="http://notifier", headers=WEBHOOKS) as client:
        yield client


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with webhook_receiver() as running_receiver:
        yield running_receiver


async def subscribe(ops: httpx.AsyncClient, url: str, event_types=("*",), member_id=None) -> dict:
    response = await ops.post(SUBSCRIPTIONS, json={"url": url, "event_types": list(event_types),
                                                   "member_id": member_id})
    assert response.status_code == 201, response.text
    return response.json()


async def consume(notifier: ServiceRuntime, *events) -> None:
    """What the webhook consumer does with a batch (its Kafka path: test_webhooks_on_kafka.py)."""
    async with notifier.context.uow() as uow:
        await on_events_for_webhooks(list(events), uow, notifier.settings)


async def deliveries(ops: httpx.AsyncClient, subscription: dict) -> list[dict]:
    response = await ops.get(f"{SUBSCRIPTIONS}/{subscription['subscription_id']}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
async def job(notifier) -> AsyncIterator[WebhookDeliveryJob]:
    delivering = WebhookDeliveryJob(notifier.context)
    yield delivering
    await delivering.client.aclose()


async def test_ops_manage_subscriptions_and_see_the_secret_once(notifier, ops, receiver):
    created = await subscribe(ops, receiver.url("/a"), ["RechargeCompleted"], "m_1")
    assert created["secret"].startswith("whsec_") and created["enabled"] is True
    sid = created["subscription_id"]
    read = (await ops.get(f"{SUBSCRIPTIONS}/{sid}")).json()
    assert "secret" not in read and read["event_types"] == ["RechargeCompleted"]
    for path in ("/b", "/c"):
        await subscribe(ops, receiver.url(path))
    first = (await ops.get(SUBSCRIPTIONS, params={"limit": 2})).json()
    second = (await ops.get(SUBSCRIPTIONS, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert len(first["items"]) == 2 and second["next_cursor"] is None
    assert {s["subscription_id"] for s in first["items"] + second["items"]} >= {sid}
    assert len({s["subscription_id"] for s in first["items"] + second["items"]}) == 3

    unknown = await ops.patch(f"{SUBSCRIPTIONS}/{sid}", json={"event_types": ["RechargeDone"]})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_event_type")
    changed = await ops.patch(f"{SUBSCRIPTIONS}/{sid}", json={"member_id": None, "enabled": False,
                                                              "description": "CRM"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["member_id"], changed.json()["enabled"], changed.json()["description"]) == (
        None, False, "CRM")
    rotated = (await ops.post(f"{SUBSCRIPTIONS}/{sid}/secret-rotation")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert (await ops.delete(f"{SUBSCRIPTIONS}/{sid}")).status_code == 204
    gone = await ops.get(f"{SUBSCRIPTIONS}/{sid}")
    assert (gone.status_code, gone.json()["code"]) == (404, "subscription_not_found")
    refused = await ops.get(SUBSCRIPTIONS, headers=ops_headers("ops:config"))
    assert refused.status_code == 403

    audited = await fetch_all(notifier.platform.database_url,
                              "SELECT method, route, status FROM notifier.ops_audit ORDER BY audit_id")
    assert [(r["method"], r["route"], r["status"]) for r in audited] == [
        ("POST", SUBSCRIPTIONS, 201), ("POST", SUBSCRIPTIONS, 201), ("POST", SUBSCRIPTIONS, 201),
        ("PATCH", f"{SUBSCRIPTIONS}/{{subscription_id}}", 422),
        ("PATCH", f"{SUBSCRIPTIONS}/{{subscription_id}}", 200),
        ("POST", f"{SUBSCRIPTIONS}/{{subscription_id}}/secret-rotation", 200),
        ("DELETE", f"{SUBSCRIPTIONS}/{{subscription_id}}", 204)]


@pytest.mark.parametrize("url", ["https://10.1.2.3/hooks", "https://localhost/hooks",
                                 "https://[::1]:8443/hooks", "https://169.254.169.254/latest"])
async def test_a_private_network_url_is_refused_when_private_targets_are_not_allowed(
        bus_platform, url):
    strict = SETTINGS.model_copy(update={"webhooks_allow_private_targets": False})
    async with running(NOTIFIER, bus_platform, BusTransport(), settings=strict) as notifier, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                              base_url="http://notifier", headers=WEBHOOKS) as ops:
        refused = await ops.post(SUBSCRIPTIONS, json={"url": url, "event_types": ["*"]})
        plain_http = await ops.post(SUBSCRIPTIONS, json={"url": "http://crm.example.com/x",
                                                         "event_types": ["*"]})
        listed = (await ops.get(SUBSCRIPTIONS)).json()["items"]
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "webhook_target_not_public", refused.json()
    assert (plain_http.status_code, plain_http.json()["code"]) == (422, "webhook_url_not_https")
    assert listed == []


async def test_a_target_that_became_private_is_refused_at_delivery(notifier, ops, receiver):
    """Subscribed while the address was allowed, as a host whose DNS later points inside
    would be: the delivery job checks again and sends nothing."""
    subscription = await subscribe(ops, f"https://localhost:{receiver.port}/rebound")
    await consume(notifier, recharge("m_1", 100, START))
    strict = SETTINGS.model_copy(update={"webhooks_allow_private_targets": False})
    job = WebhookDeliveryJob(dataclasses.replace(notifier.context, settings=strict))
    try:
        assert await job.run_once(START) == 1
    finally:
        await job.client.aclose()
    [delivery] = await deliveries(ops, subscription)
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["last_error"].startswith("webhook_target_not_public")
    assert receiver.received == []


async def test_filters_choose_the_events_and_each_is_queued_once(notifier, ops, receiver, job):
    recharges = await subscribe(ops, receiver.url("/recharges"), ["RechargeCompleted"])
    one_member = await subscribe(ops, receiver.url("/m_x"), ["*"], member_id="m_x")
    off = await subscribe(ops, receiver.url("/off"))
    await ops.patch(f"{SUBSCRIPTIONS}/{off['subscription_id']}", json={"enabled": False})
    events = [recharge("m_x", 100, START), recharge("m_y", 200, START), coupon("m_x", START)]
    await consume(notifier, *events)
    await consume(notifier, *events)  # redelivered by Kafka: nothing new
    assert await job.run_once(START) == 4
    ids = {path: [r.headers["webhook-id"] for r in receiver.at(path)] for path in ("/recharges", "/m_x")}
    # order is promised per member: m_x's two events in order; m_x's and m_y's recharges
    # may reach /recharges either way round
    assert sorted(ids["/recharges"]) == sorted([str(events[0].event_id), str(events[1].event_id)])
    assert ids["/m_x"] == [str(events[0].event_id), str(events[2].event_id)]
    assert receiver.at("/off") == [] and await deliveries(ops, off) == []
    assert len(await deliveries(ops, recharges)) == 2 and len(await deliveries(ops, one_member)) == 2
    log = f"{SUBSCRIPTIONS}/{recharges['subscription_id']}/deliveries"
    first = (await ops.get(log, params={"limit": 1})).json()
    second = (await ops.get(log, params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert [d["event_id"] for d in first["items"] + second["items"]] == [
        str(events[1].event_id), str(events[0].event_id)]  # newest first
    assert second["next_cursor"] is None
    assert (await ops.get(log, params={"status": "parked"})).json()["items"] == []
    tampered = await ops.get(log, params={"cursor": "WyJ4Il0="})  # ["x"]
    assert (tampered.status_code, tampered.json()["code"]) == (400, "invalid_cursor")


async def test_a_delivery_is_parked_after_its_retries_and_redelivered_once_per_key(
        notifier, ops, receiver, job):
    subscription = await subscribe(ops, receiver.url("/parked"))
    receiver.unavailable = True
    await consume(notifier, recharge("m_1", 100, START))
    for seconds in (0, 2, 4):  # the first attempt and the schedule's two retries
        assert await job.run_once(START + timedelta(seconds=seconds)) == 1
    assert await job.run_once(START + timedelta(hours=1)) == 0
    [parked] = await deliveries(ops, subscription)
    assert (parked["status"], parked["attempts"], parked["last_status_code"], parked["last_error"]) == (
        "parked", 3, 503, "HTTP 503")

    receiver.unavailable = False
    path = f"{SUBSCRIPTIONS}/{subscription['subscription_id']}/deliveries/{parked['delivery_id']}/redelivery"
    missing_key = await ops.post(path)
    assert (missing_key.status_code, missing_key.json()["code"]) == (400, "idempotency_key_missing")
    again = await ops.post(path, headers={"Idempotency-Key": "redo-1"})
    assert again.status_code == 202 and again.json()["status"] == "pending"
    assert await job.run_once(START + timedelta(hours=1)) == 1
    replayed = await ops.post(path, headers={"Idempotency-Key": "redo-1"})
    assert (replayed.status_code, replayed.json()) == (202, again.json())
    assert await job.run_once(START + timedelta(hours=2)) == 0  # the replay queued nothing
    assert len(receiver.received) == 1
    [delivered] = await deliveries(ops, subscription)
    assert (delivered["status"], delivered["attempts"], delivered["last_status_code"]) == (
        "delivered", 1, 204)
    unknown = await ops.post(f"{SUBSCRIPTIONS}/{subscription['subscription_id']}/deliveries/999999/"
                             "redelivery", headers={"Idempotency-Key": "redo-2"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "delivery_not_found")


async def test_an_endpoint_failing_for_the_whole_window_is_disabled_and_ops_are_told(
        notifier, ops, receiver):
    settings = SETTINGS.model_copy(update={"webhooks_retry_schedule_seconds": (1,) * 20,
                                           "webhooks_disable_after_seconds": 10})
    job = WebhookDeliveryJob(dataclasses.replace(notifier.context, settings=settings))
    # not `*`: the WebhookEndpointDisabled this publishes would be queued for it as well
    subscription = await subscribe(ops, receiver.url("/failing"), ["RechargeCompleted"])
    sid = subscription["subscription_id"]
    receiver.unavailable = True
    await consume(notifier, recharge("m_1", 100, START))
    try:
        for seconds in (0, 2, 4, 6, 8):
            assert await job.run_once(START + timedelta(seconds=seconds)) == 1
        assert (await ops.get(f"{SUBSCRIPTIONS}/{sid}")).json()["enabled"] is True
        assert await job.run_once(START + timedelta(seconds=10)) == 1
        disabled = (await ops.get(f"{SUBSCRIPTIONS}/{sid}")).json()
        assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "HTTP 503")
        assert disabled["failing_since"] is not None
        assert await job.run_once(START + timedelta(seconds=20)) == 0  # off: nothing sent
        told = await fetch_all(notifier.platform.database_url,
                               "SELECT payload FROM notifier.outbox WHERE ce_type = "
                               "'patronage.notifier.WebhookEndpointDisabled.v1'")
        assert len(told) == 1 and sid.encode() in told[0]["payload"]

        receiver.unavailable = False
        back = (await ops.patch(f"{SUBSCRIPTIONS}/{sid}", json={"enabled": True})).json()
        assert (back["enabled"], back["failing_since"], back["disabled_reason"]) == (True, None, None)
        assert await job.run_once(START + timedelta(seconds=30)) == 1
    finally:
        await job.client.aclose()
    assert len(receiver.received) == 1


async def test_a_redirect_is_not_followed(notifier, ops, receiver, job):
    subscription = await subscribe(ops, receiver.url("/moved"))
    receiver.moved_to = "/elsewhere"
    await consume(notifier, recharge("m_1", 100, START))
    assert await job.run_once(START) == 1
    [delivery] = await deliveries(ops, subscription)
    assert (delivery["status"], delivery["last_status_code"], delivery["last_error"]) == (
        "pending", 302, "redirect not followed")
    assert [r.path for r in receiver.received] == ["/moved"]
