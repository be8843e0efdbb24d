"""Erasure requests as rules: the cooling-off, who may still cancel, when all have confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tiering.rules.erasure import (
    ERASING_SERVICES,
    ErasureNotCancellable,
    check_cancellable,
    erase_at,
    is_complete,
    retention_cutoff,
)
from shared.topics import SERVICES

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_the_cooling_off_is_the_merchants_number_of_days_and_zero_is_now():
    assert erase_at(NOW, 7) == NOW + timedelta(days=7)
    assert erase_at(NOW, 0) == NOW


@pytest.mark.parametrize("status", ["erasing", "completed", "cancelled"])
def test_only_a_request_still_cooling_off_can_be_cancelled(status):
    check_cancellable("cooling_off")
    with pytest.raises(ErasureNotCancellable) as refused:
        check_cancellable(status)
    assert refused.value.code == "erasure_not_cancellable"


def test_complete_only_when_every_service_confirmed():
    assert set(ERASING_SERVICES) == set(SERVICES)
    assert not is_complete(ERASING_SERVICES[:-1])
    assert is_complete([*ERASING_SERVICES, "tiering"])


def test_retention_counts_back_from_now():
    assert retention_cutoff(NOW, 30) == NOW - timedelta(days=30)
