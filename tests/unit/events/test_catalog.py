"""The catalog is complete, every event is findable by its CloudEvents type, and every
event of it survives the trip through JSON and Kafka headers unchanged."""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.events import notifier, referral, rewards, tiering, wallet
from shared.events.catalog import BY_CE_TYPE, CATALOG, UnknownEventType, event_class_for
from shared.events.cloudevents import decode, header_value, to_kafka_headers
from shared.events.envelope import Event
from shared.topics import SERVICES
from tests.unit.events.event_strategies import instances_of

PRODUCER_MODULES = (wallet, tiering, rewards, referral, notifier)
EACH_EVENT = pytest.mark.parametrize("cls", CATALOG, ids=lambda cls: cls.__name__)
ROUND_TRIPS = settings(max_examples=20, deadline=None)


def test_the_catalog_lists_every_event_class_of_the_producer_modules():
    defined = {
        cls for module in PRODUCER_MODULES
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Event) and cls.__module__ == module.__name__
    }
    assert defined == set(CATALOG)
    assert len(CATALOG) == len(set(CATALOG)) == 30


@EACH_EVENT
def test_each_event_lives_in_its_producers_module(cls):
    assert cls.producer_name in SERVICES
    assert cls.__module__ == f"shared.events.{cls.producer_name}"
    assert cls.event_type == cls.__name__


@EACH_EVENT
def test_ce_type_names_producer_event_and_version(cls):
    assert re.fullmatch(rf"patronage\.{cls.producer_name}\.{cls.__name__}\.v1", cls.ce_type())
    assert event_class_for(cls.ce_type()) is cls


def test_ce_types_are_unique():
    assert len(BY_CE_TYPE) == len(CATALOG)


def test_an_unknown_ce_type_is_a_lookup_error_naming_the_type():
    with pytest.raises(UnknownEventType, match=r"patronage\.wallet\.NoSuchEvent\.v1"):
        event_class_for("patronage.wallet.NoSuchEvent.v1")
    assert issubclass(UnknownEventType, LookupError)


@EACH_EVENT
@ROUND_TRIPS
@given(data=st.data())
def test_every_event_round_trips_through_json(cls, data):
    event = data.draw(instances_of(cls))

    assert cls.model_validate_json(event.to_json()) == event


@EACH_EVENT
@ROUND_TRIPS
@given(data=st.data())
def test_every_event_round_trips_through_kafka_headers_and_value(cls, data):
    event = data.draw(instances_of(cls))

    decoded = decode(event.to_json(), to_kafka_headers(event))

    assert type(decoded) is cls
    assert decoded == event


@EACH_EVENT
@ROUND_TRIPS
@given(data=st.data())
def test_headers_carry_the_cloudevents_attributes(cls, data):
    event = data.draw(instances_of(cls))

    headers = to_kafka_headers(event)

    assert all(isinstance(value, bytes) for _, value in headers)
    assert header_value(headers, "ce_id") == str(event.event_id)
    assert header_value(headers, "ce_type") == cls.ce_type()
    assert header_value(headers, "ce_source") == f"/patronage/{cls.producer_name}"
    assert header_value(headers, "ce_specversion") == "1.0"
    assert header_value(headers, "ce_subject") == event.member_id
    assert header_value(headers, "content-type") == "application/json"
    ce_time = header_value(headers, "ce_time")
    assert ce_time.endswith("Z")
    assert datetime.fromisoformat(ce_time) == event.occurred_at
    expected_correlation = str(event.correlation_id) if event.correlation_id else None
    assert header_value(headers, "ce_correlationid") == expected_correlation
    expected_causation = str(event.causation_id) if event.causation_id else None
    assert header_value(headers, "ce_causationid") == expected_causation


@EACH_EVENT
@ROUND_TRIPS
@given(data=st.data())
def test_the_json_names_the_event_for_readers_without_headers(cls, data):
    event = data.draw(instances_of(cls))

    document = json.loads(event.to_json())

    assert (document["type"], document["version"], document["producer"]) == (
        cls.event_type, cls.event_version, cls.producer_name)
    assert document["occurred_at"].endswith("Z")
