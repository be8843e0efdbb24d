"""The phone hash enrolments publish: one number hashes alike however it is written, the
key matters, and prod refuses the dev key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.tiering.settings import TieringSettings
from shared.events.tiering import phone_hash


def test_one_number_hashes_alike_however_written_and_only_under_its_key():
    assert phone_hash("k" * 32, "+86 138-0000-0001") == phone_hash("k" * 32, "8613800000001")
    assert phone_hash("k" * 32, "8613800000001") != phone_hash("j" * 32, "8613800000001")
    assert phone_hash("k" * 32, "8613800000001") != phone_hash("k" * 32, "8613800000002")


def test_prod_refuses_the_dev_key_and_a_short_one(monkeypatch):
    monkeypatch.setenv("PATRONAGE_ENVIRONMENT", "prod")
    with pytest.raises(ValidationError):
        TieringSettings()
    with pytest.raises(ValidationError):
        TieringSettings(contact_hash_key="short")
    assert TieringSettings(contact_hash_key="x" * 32).environment == "prod"
