"""The key ids this service refuses, in memory, so checking a credential costs a dict lookup
and never a database round trip.

Each service keeps its own projection of the wallet's `TerminalKeyRevoked` events (the
wallet reads its registry itself; `shared/db/revoked_keys.py`), and the runtime's
`key_revocations` job copies it here every `PATRONAGE_KEY_REVOCATION_REFRESH_SECONDS`
(default 2). A revocation carries the moment it takes effect — now, or the end of a
rotation's overlap — so a key stays valid until then and is refused from then on, with
no further event.

A deny-list, not an allow-list of registered keys, on purpose: a service that lags behind
the wallet's events then keeps accepting a key the wallet revoked a moment ago (for as long
as it lags) instead of refusing every key the wallet issued since (an outage for new
terminals); and the platform secret, which a forger would need, already signs ops tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping


class RevokedKeys:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._revoked_at: dict[str, float] = {}  # key id -> epoch seconds it stops working

    def replace(self, revoked_at: Mapping[str, float]) -> None:
        """The projection as last read; one assignment, so a request never sees half of it."""
        self._revoked_at = dict(revoked_at)

    def is_revoked(self, key_id: str) -> bool:
        at = self._revoked_at.get(key_id)
        return at is not None and self._clock() >= at

    def __len__(self) -> int:
        return len(self._revoked_at)
