"""Terminal keys: when a key may be revoked or rotated, and from when it is refused.

A key is refused from its `revoked_at` on. Revoking sets it to now; rotating issues the
terminal a new key and sets the old one's to the end of the overlap the caller chose, so
both work while the new key is installed. Revoking a key whose rotation overlap is still
running brings its end forward (a leak found mid-rotation); nothing ever moves it later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.rule_violations import Conflict, NotFound

KEY_ID_PREFIX = "tk_"


@dataclass(frozen=True)
class KeyState:
    key_id: str
    expires_at: datetime
    revoked_at: datetime | None


class TerminalKeyNotFound(NotFound):
    def __init__(self, key_id: str) -> None:
        super().__init__("terminal_key_not_found", f"No terminal key {key_id}.")


class KeyAlreadyRevoked(Conflict):
    def __init__(self, key_id: str) -> None:
        super().__init__("key_revoked", f"The terminal key {key_id} is already revoked.")


class KeyRotating(Conflict):
    def __init__(self, key_id: str) -> None:
        super().__init__("key_rotating", f"The terminal key {key_id} was already rotated; "
                         "rotate its successor, or revoke it to end the overlap now.")


class KeyExpired(Conflict):
    def __init__(self, key_id: str) -> None:
        super().__init__("key_expired", f"The terminal key {key_id} has expired; issue a new one.")


def key_digest(key: str) -> bytes:
    """What the registry keeps of a key: enough to recognise a leaked one, never to use it."""
    return hashlib.sha256(key.encode()).digest()


def revoked_from(key: KeyState, now: datetime, overlap: timedelta = timedelta(0)) -> datetime:
    """The moment a revocation (after `overlap`) makes the key refused."""
    if key.revoked_at is not None and key.revoked_at <= now:
        raise KeyAlreadyRevoked(key.key_id)
    at = now + overlap
    return at if key.revoked_at is None else min(at, key.revoked_at)


def check_rotatable(key: KeyState, now: datetime) -> None:
    if key.revoked_at is not None:
        raise KeyAlreadyRevoked(key.key_id) if key.revoked_at <= now else KeyRotating(key.key_id)
    if key.expires_at <= now:
        raise KeyExpired(key.key_id)
