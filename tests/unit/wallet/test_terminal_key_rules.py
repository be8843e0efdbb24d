"""When a terminal key may be revoked or rotated, and from when it is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.wallet.rules.terminal_keys import (
    KeyAlreadyRevoked,
    KeyExpired,
    KeyRotating,
    KeyState,
    check_rotatable,
    key_digest,
    revoked_from,
)

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
LIVE = KeyState("tk_1", NOW + timedelta(days=365), None)
HOUR = timedelta(hours=1)


def test_a_revocation_bites_now_or_after_the_overlap():
    assert revoked_from(LIVE, NOW) == NOW
    assert revoked_from(LIVE, NOW, HOUR) == NOW + HOUR


def test_revoking_during_a_rotation_overlap_brings_its_end_forward_never_later():
    rotating = KeyState("tk_1", LIVE.expires_at, NOW + HOUR)
    assert revoked_from(rotating, NOW) == NOW
    assert revoked_from(rotating, NOW, 2 * HOUR) == NOW + HOUR


def test_a_key_already_refused_cannot_be_revoked_again():
    with pytest.raises(KeyAlreadyRevoked):
        revoked_from(KeyState("tk_1", LIVE.expires_at, NOW), NOW)


def test_only_a_live_unrotated_key_is_rotated():
    check_rotatable(LIVE, NOW)
    with pytest.raises(KeyRotating):
        check_rotatable(KeyState("tk_1", LIVE.expires_at, NOW + HOUR), NOW)
    with pytest.raises(KeyAlreadyRevoked):
        check_rotatable(KeyState("tk_1", LIVE.expires_at, NOW - HOUR), NOW)
    with pytest.raises(KeyExpired):
        check_rotatable(KeyState("tk_1", NOW, None), NOW)


def test_the_registry_keeps_a_digest_that_names_one_key():
    assert len(key_digest("a")) == 32 and key_digest("a") != key_digest("b")
