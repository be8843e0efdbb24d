"""No event of the catalog can carry a card number: the detector itself, and every string
field of every event with a card number put in it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.events.card_numbers import CardNumberRefused, contains_card_number, luhn_valid
from shared.events.catalog import CATALOG
from tests.unit.events.event_strategies import instances_of

CARD_NUMBERS = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
                "5555555555554444", "378282246310005", "6212345678901232",
                "ref 4111111111111111 paid", "card:4111-1111-1111-1111",
                "card 4111 1111 1111 1111 paid", "(4111111111111111)"]
NOT_CARD_NUMBERS = [
    "4111111111111112",                       # fails Luhn
    "411111111111",                           # 12 digits
    "42000012342026112912345678901234",       # a 32-digit WeChat Pay id (one long run)
    "0000000000000000",                       # starts with 0: no scheme issues it
    "4111--1111-1111-1111",                   # two separators in a row: not one number
    "wx-4200001234", "sh01-pos07-000123", "tok_abcdefghijklmnop",
    "a4111111111111111", "4111111111111111b",  # glued to letters: part of an id
    "12345678-1234-5678-abcd-1234567890ab",   # a UUID whose first 16 hex are digits
    "ab123456-4111-1111-1111-111111111111",
    "4111 1111 1111 1111 2222",               # 20 digits
]


@pytest.mark.parametrize("text", CARD_NUMBERS)
def test_card_numbers_are_found(text):
    assert contains_card_number(text)


@pytest.mark.parametrize("text", NOT_CARD_NUMBERS)
def test_other_references_are_not_taken_for_card_numbers(text):
    assert not contains_card_number(text)


def test_ids_the_platform_makes_are_never_taken_for_card_numbers():
    ids = [make() for make in (lambda: str(uuid.uuid4()), lambda: uuid.uuid4().hex)
           for _ in range(50_000)]
    assert not [text for text in ids if contains_card_number(text)]


def test_luhn():
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def _string_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_paths(item, (*path, key))]
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in _string_paths(item, (*path, index))]
    return []


def _with(value: Any, path: tuple, text: str) -> Any:
    if not path:
        return text
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _with(value[head], tuple(rest), text)}
    items = list(value)
    items[head] = _with(items[head], tuple(rest), text)
    return items


def _refusal(cls, fields: dict) -> type[Exception] | None:
    """What publishing the event refuses: its building (the field's shape) or its JSON."""
    try:
        cls(**fields).to_json()
    except (CardNumberRefused, ValidationError) as refused:
        return type(refused)
    return None


@pytest.mark.parametrize("cls", CATALOG, ids=lambda cls: cls.__name__)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_a_card_number_in_any_string_field_of_any_event_is_refused(cls, data):
    event = data.draw(instances_of(cls))
    fields = event.model_dump(exclude=set(cls.model_computed_fields))
    for path in _string_paths(fields):
        refused = _refusal(cls, _with(fields, path, "4111 1111 1111 1111"))
        # Either the card number is refused as one, or the field cannot hold that shape at
        # all (a currency code, a literal): then a look-alike that fails Luhn is refused too.
        assert refused is CardNumberRefused or (
            refused is ValidationError
            and _refusal(cls, _with(fields, path, "4111 1111 1111 1112")) is ValidationError
        ), f"{cls.__name__} {path}"


def test_the_json_check_looks_at_string_values_only_and_names_the_field():
    from shared.events.card_numbers import refuse_card_numbers_in_json

    # a 16-digit amount is a number, not a card number (a regex over the bytes finds it;
    # the walk over string values clears it)
    refuse_card_numbers_in_json(b'{"amount":4111111111111111,"items":[{"sku":"x"}]}', "E")
    with pytest.raises(CardNumberRefused) as refused:
        refuse_card_numbers_in_json(b'{"amount":1,"items":[{"sku":"4111 1111 1111 1111"}]}', "E")
    assert "E.items[0].sku" in refused.value.detail
