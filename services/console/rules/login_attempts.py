"""Login throttling: after `allowed` failures within `window` for one user name or one
address, logins from it are refused until the window passes. Kept in memory per replica:
it slows guessing, the argon2 hash does the rest."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta


class LoginAttempts:
    def __init__(self, allowed: int, window: timedelta) -> None:
        self._allowed = allowed
        self._window = window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def locked_out(self, now: datetime, *keys: str) -> bool:
        return any(len(self._recent(key, now)) >= self._allowed for key in keys)

    def failed(self, now: datetime, *keys: str) -> None:
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
