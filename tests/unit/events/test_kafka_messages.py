"""Reading a Kafka message back into an event, and refusing the ones that can never be read
(the consumer dead-letters those)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.events.catalog import UnknownEventType
from shared.events.cloudevents import decode, header_value, to_kafka_headers
from shared.events.wallet import RechargeCompleted

RECHARGE = RechargeCompleted(
    occurred_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC), member_id="m_1001", recharge_id="r_1",
    amount=50_000, currency="CNY", payment_method="alipay", payment_reference="ali-1",
    store_id="store_sh_01", channel="app", is_first_recharge=False, lifetime_recharged=90_000,
)
RECHARGE_TYPE = [("ce_type", b"patronage.wallet.RechargeCompleted.v1")]


def test_a_message_without_ce_type_is_unknown():
    with pytest.raises(UnknownEventType, match="no ce_type"):
        decode(RECHARGE.to_json(), [("content-type", b"application/json")])


def test_a_message_of_a_type_outside_the_catalog_is_unknown():
    with pytest.raises(UnknownEventType, match="NoSuchEvent"):
        decode(b"{}", [("ce_type", b"patronage.wallet.NoSuchEvent.v1")])


def test_a_message_of_a_later_version_is_unknown_until_its_class_exists():
    with pytest.raises(UnknownEventType):
        decode(RECHARGE.to_json(), [("ce_type", b"patronage.wallet.RechargeCompleted.v2")])


@pytest.mark.parametrize("value", [b"{not json", b"{}", b'{"amount": "lots"}', b""])
def test_a_value_that_does_not_fit_its_type_is_a_validation_error(value):
    with pytest.raises(ValidationError):
        decode(value, RECHARGE_TYPE)


def test_the_headers_decide_the_class_not_the_json():
    assert decode(RECHARGE.to_json(), RECHARGE_TYPE) == RECHARGE


def test_extensions_carry_correlation_and_causation_when_set():
    correlation, causation = uuid4(), uuid4()
    caused = RECHARGE.model_copy(update={"correlation_id": correlation,
                                         "causation_id": causation})

    headers = to_kafka_headers(caused)

    assert header_value(headers, "ce_correlationid") == str(correlation)
    assert header_value(headers, "ce_causationid") == str(causation)
    assert header_value(to_kafka_headers(RECHARGE), "ce_correlationid") is None


def test_a_source_can_be_given_for_a_producer_outside_the_default_layout():
    headers = to_kafka_headers(RECHARGE, source="/merchant-42/wallet")

    assert header_value(headers, "ce_source") == "/merchant-42/wallet"


def test_header_value_takes_the_last_repeat_and_accepts_text_values():
    headers = [("ce_type", b"first"), ("other", None), ("ce_type", "second")]

    assert header_value(headers, "ce_type") == "second"
    assert header_value(headers, "other") is None
    assert header_value(headers, "missing") is None
