"""The phone hash enrolments publish: one number hashes alike however it is written, the
key matters (prod refusing the dev key: tests/unit/shared/test_startup_secrets.py)."""

from __future__ import annotations

from shared.events.tiering import phone_hash


def test_one_number_hashes_alike_however_written_and_only_under_its_key():
    assert phone_hash("k" * 32, "+86 138-0000-0001") == phone_hash("k" * 32, "8613800000001")
    assert phone_hash("k" * 32, "8613800000001") != phone_hash("j" * 32, "8613800000001")
    assert phone_hash("k" * 32, "8613800000001") != phone_hash("k" * 32, "8613800000002")
