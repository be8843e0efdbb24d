"""Tokens already verified, so a terminal's key is not HMAC-checked and decoded again on
every request: a POS sends the same X-Api-Key all day.

A token string is immutable — same string, same signature, same claims — so the only thing
that can change for a cached one is time: an entry is used only while `now < exp` (PyJWT's
own rule with no leeway) and dropped once expired, so an expired token goes back through
full verification and is refused there. Only tokens that verified are kept; the cache is
bounded (least recently used first out), so a flood of distinct tokens cannot grow it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class VerifiedTokens(Generic[T]):
    def __init__(self, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_entries, self._clock = max_entries, clock
        self._entries: OrderedDict[str, tuple[T, float]] = OrderedDict()

    def get(self, token: str) -> T | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        value, expires_at = entry
        if self._clock() >= expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return value

    def put(self, token: str, value: T, expires_at: float) -> None:
        self._entries[token] = (value, expires_at)
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
