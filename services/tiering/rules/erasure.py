"""Erasing a member's personal data (issue 21), as rules: when a request may be cancelled,
when it starts, and when it is complete. Tiering coordinates; every service erases its own
part and confirms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from shared.rule_violations import Conflict

# Every service that holds data about a member confirms its part; tiering is one of them.
ERASING_SERVICES = ("tiering", "wallet", "rewards", "referral", "notifier")


class ErasureNotCancellable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__("erasure_not_cancellable",
                         f"The erasure is {status}: only one still cooling off can be cancelled.")


def erase_at(requested_at: datetime, cooling_off_days: int) -> datetime:
    """The end of the cooling-off period the merchant set (0: at once)."""
    return requested_at + timedelta(days=cooling_off_days)


def check_cancellable(status: str) -> None:
    if status != "cooling_off":
        raise ErasureNotCancellable(status)


def is_complete(confirmed: Iterable[str]) -> bool:
    return set(ERASING_SERVICES) <= set(confirmed)


def retention_cutoff(now: datetime, inactive_days: int) -> datetime:
    """Members with no activity since this moment are erased by retention."""
    return now - timedelta(days=inactive_days)
