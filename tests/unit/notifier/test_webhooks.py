"""Webhooks, the pure rules: the Standard Webhooks signature (checked with the reference
library, so any receiver's library accepts it), the CloudEvents body, the server-side
request forgery guard, retries, parking and disabling, and which events a subscription
wants."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifier.rules.webhooks import (
    Interest,
    check_addresses,
    cloudevent_body,
    known_event_types,
    new_secret,
    next_attempt_at,
    refused_address,
    should_disable,
    signed_headers,
    target_of,
)
from shared.events.cloudevents import to_kafka_headers
from shared.events.wallet import RechargeCompleted
from shared.rule_violations import RuleViolation

NOW = datetime(2027, 3, 1, 3, tzinfo=UTC)
SECRET = new_secret(bytes(range(32)))


def recharge() -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=NOW, member_id="m_1", recharge_id="r_1", amount=50_000, currency="CNY",
        payment_method="cash", payment_reference="x", store_id="store_1", channel="pos",
        is_first_recharge=True, lifetime_recharged=50_000)


def test_the_secret_is_whsec_and_base64_of_the_key():
    assert SECRET.startswith("whsec_")
    assert base64.b64decode(SECRET.removeprefix("whsec_")) == bytes(range(32))


def test_the_reference_library_verifies_the_signature_and_refuses_a_changed_body():
    body = cloudevent_body(recharge())
    headers = signed_headers(SECRET, "msg_1", int(time.time()), body)
    assert Webhook(SECRET).verify(body, headers)["data"]["recharge_id"] == "r_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"50000", b"90000"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret(b"another key of thirty-two bytes!")).verify(body, headers)


def test_the_body_is_the_kafka_message_as_one_cloudevent():
    event = recharge()
    document = orjson.loads(cloudevent_body(event))
    kafka = {name: value.decode() for name, value in to_kafka_headers(event)}
    assert document["data"] == orjson.loads(event.to_json())
    assert {name: document[name] for name in ("id", "type", "source", "time", "subject")} == {
        name: kafka[f"ce_{name}"] for name in ("id", "type", "source", "time", "subject")}
    assert document["specversion"] == "1.0" and document["type"].endswith("RechargeCompleted.v1")


@pytest.mark.parametrize(("address", "reason"), [
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("127.0.0.1", "private"), ("::1", "private"), ("169.254.169.254", "private"),
    ("fe80::1", "private"), ("224.0.0.251", "multicast"), ("0.0.0.0", "private"),
    ("240.0.0.1", "private"), ("::ffff:127.0.0.1", "private"), ("fc00::1", "private"),
    ("100.64.0.1", "not-global"),
])
def test_every_address_but_a_public_one_is_refused(address, reason):
    # Python names loopback, link-local and the like private as well; any reason refuses
    assert refused_address(address) is not None
    if reason == "not-global":
        assert refused_address(address) == "not-global"


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_a_public_address_may_be_called(address):
    assert refused_address(address) is None


def test_one_private_address_among_public_ones_refuses_the_host():
    with pytest.raises(RuleViolation) as refused:
        check_addresses("rebind.example", ["93.184.216.34", "10.0.0.7"], allow_private=False)
    assert refused.value.code == "webhook_target_not_public" and "10.0.0.7" in refused.value.detail
    check_addresses("localhost", ["127.0.0.1"], allow_private=True)
    with pytest.raises(RuleViolation) as unresolved:
        check_addresses("nowhere.example", [], allow_private=True)
    assert unresolved.value.code == "webhook_url_unresolvable"


@pytest.mark.parametrize(("url", "code"), [
    ("http://crm.example.com/hooks", "webhook_url_not_https"),
    ("ftp://crm.example.com/hooks", "webhook_url_invalid"),
    ("https://user:pw@crm.example.com/hooks", "webhook_url_invalid"),
    ("https:///hooks", "webhook_url_invalid"),
    ("https://crm.example.com:99999/", "webhook_url_invalid"),
])
def test_a_url_that_is_not_plain_https_is_refused(url, code):
    with pytest.raises(RuleViolation) as refused:
        target_of(url, allow_private=False)
    assert refused.value.code == code


def test_http_and_ports_when_private_targets_are_allowed():
    target = target_of("http://127.0.0.1:8080/hooks", allow_private=True)
    assert (target.scheme, target.host, target.port) == ("http", "127.0.0.1", 8080)
    assert target_of("https://crm.example.com/x", allow_private=False).port == 443


def test_retries_follow_the_schedule_with_jitter_on_top_then_park():
    schedule, first = (5.0, 300.0, 1800.0), NOW
    assert next_attempt_at(1, first, NOW, schedule, 86400, 0.0) == NOW + timedelta(seconds=5)
    assert next_attempt_at(2, first, NOW, schedule, 86400, 0.1) == NOW + timedelta(seconds=330)
    assert next_attempt_at(4, first, NOW, schedule, 86400, 0.0) is None  # schedule spent
    # the retry window is spent before the schedule is
    late = first + timedelta(seconds=86000)
    assert next_attempt_at(3, first, late, schedule, 86400, 0.0) is None


def test_an_endpoint_is_disabled_after_failing_for_the_whole_window():
    assert not should_disable(None, NOW, 86400)
    assert not should_disable(NOW - timedelta(hours=23), NOW, 86400)
    assert should_disable(NOW - timedelta(hours=24), NOW, 86400)


def test_a_subscription_wants_its_types_and_its_member():
    assert Interest(("RechargeCompleted",)).wants("RechargeCompleted", "m_1")
    assert not Interest(("RechargeCompleted",)).wants("BonusCredited", "m_1")
    assert Interest(("*",), "m_1").wants("BonusCredited", "m_1")
    assert not Interest(("*",), "m_1").wants("BonusCredited", "m_2")


def test_event_types_must_be_in_the_catalog():
    assert known_event_types(["BonusCredited", "BonusCredited", "*"]) == ("BonusCredited", "*")
    with pytest.raises(RuleViolation) as refused:
        known_event_types(["RechargeComplete"])
    assert refused.value.code == "unknown_event_type"
    with pytest.raises(RuleViolation):
        known_event_types([])
