"""A phone number looked up by its digits (rules/phones.py), as the enrolment hash does."""

from __future__ import annotations

import pytest

from services.tiering.rules.phones import phone_digits
from shared.events.tiering import phone_hash
from shared.rule_violations import RuleViolation


@pytest.mark.parametrize("typed", ["+86 138-0000-1111", "8613800001111", "86 138 0000 1111"])
def test_one_number_typed_any_way_is_the_same_digits(typed):
    assert phone_digits(typed) == "8613800001111"
    assert phone_hash("k", typed) == phone_hash("k", phone_digits(typed))


@pytest.mark.parametrize("typed", ["- - -", "+1234", "", "١٢٣٤٥"])
def test_fewer_than_five_ascii_digits_is_refused(typed):
    with pytest.raises(RuleViolation) as refused:
        phone_digits(typed)
    assert refused.value.code == "phone_too_short"
