"""Rate limits per credential and per member, and lockouts after failed authentications.

`authenticate` (shared/http/auth.py) calls this once per request that names a caller:

- before reading the credential, `refuse_locked_out`: a client address or a presented
  key that collected too many 401s is answered 429 for `lockout_seconds`, without
  verifying anything (500 wrong-key requests used to get 500 401s);
- after a 401, `authentication_failed` counts it against the address and the key;
- after a good credential, `admit`: a money-moving POST (a route that takes
  Idempotency-Key) counts against the caller and the member it is about, an enrolment
  against the caller.

Refusals are 429 problem+json `rate_limited` with `Retry-After` and `limit` naming which
limit applied. The counters are the `limits` library's fixed windows in this process's
memory: no database and no network on any request, the recharge's one round trip included,
and a rate is per process (see shared/limit_settings.py). The windows are fixed (the
cheapest of the library's strategies): across a window's end a caller can get up to twice
a rate in a short burst.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import Request
from fastapi.routing import APIRoute
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from shared.http.problems import Problem
from shared.limit_settings import RequestLimitSettings

if TYPE_CHECKING:
    from fastapi._compat import ModelField
    from fastapi.dependencies.models import Dependant

ENROLMENT_PATHS = frozenset({"/v1/members"})
MAX_LOCKOUTS = 100_000  # expired ones are dropped beyond this, so a flood cannot grow it


def credential_key(credential: str) -> str:
    """What the counters remember of a presented key: never the key itself."""
    return hashlib.sha256(credential.encode()).hexdigest()[:32]


def route_kind(route: Any) -> str | None:
    """"money" for a POST taking Idempotency-Key, "enrolment" for POST /v1/members."""
    if not isinstance(route, APIRoute) or "POST" not in route.methods:
        return None
    if route.path_format in ENROLMENT_PATHS:
        return "enrolment"
    if any(param.alias.lower() == "idempotency-key" for param in _headers(route.dependant)):
        return "money"
    return None


def _headers(dependant: Dependant) -> Iterator[ModelField]:
    yield from dependant.header_params
    for dependency in dependant.dependencies:
        yield from _headers(dependency)


class RequestLimiter:
    def __init__(self, settings: RequestLimitSettings, now: Any = time.time) -> None:
        self.enabled = settings.enabled
        self.lockout_seconds = settings.lockout_seconds
        self._now = now
        self._windows = FixedWindowRateLimiter(SweptMemoryStorage())
        self._money_per_credential = parse(settings.money_per_credential)
        self._money_per_member = parse(settings.money_per_member)
        self._enrolment_per_credential = parse(settings.enrolment_per_credential)
        self._failures_per_address = parse(settings.auth_failures_per_address)
        self._failures_per_credential = parse(settings.auth_failures_per_credential)
        self._locked_until: dict[str, float] = {}
        self._kinds: dict[int, str | None] = {}

    # -- lockouts ---------------------------------------------------------------------------
    def refuse_locked_out(self, address: str, credential: str | None) -> None:
        if not self.enabled:
            return
        for limit, subject in self._lockout_subjects(address, credential):
            until = self._locked_until.get(subject)
            if until is not None and until > self._now():
                raise rate_limited(limit, until - self._now(),
                                   "Too many failed authentications; locked out for a while.")

    def authentication_failed(self, address: str, credential: str | None) -> None:
        if not self.enabled:
            return
        for limit, subject in self._lockout_subjects(address, credential):
            rate = (self._failures_per_address if limit == "address"
                    else self._failures_per_credential)
            self._windows.hit(rate, "auth-failures", subject)
            if not self._windows.test(rate, "auth-failures", subject):
                self._lock(subject)  # this was the last 401 it gets

    def _lockout_subjects(self, address: str, credential: str | None) -> list[tuple[str, str]]:
        subjects = [("address", f"address:{address}")]
        if credential:
            subjects.append(("credential", f"key:{credential_key(credential)}"))
        return subjects

    def _lock(self, subject: str) -> None:
        now = self._now()
        if len(self._locked_until) >= MAX_LOCKOUTS:
            self._locked_until = {s: u for s, u in self._locked_until.items() if u > now}
        self._locked_until[subject] = now + self.lockout_seconds

    # -- rates ------------------------------------------------------------------------------
    async def admit(self, request: Request, identity: str, member: str | None) -> None:
        """Counts the request if its route is limited; 429 once a window is full."""
        if not self.enabled:
            return
        route = request.scope.get("route")
        kind = self._kinds.get(id(route), "?")
        if kind == "?":
            kind = self._kinds[id(route)] = route_kind(route)
        if kind == "enrolment":
            self._take([("credential", self._enrolment_per_credential, f"enrol:{identity}")])
        elif kind == "money":
            member = member or request.path_params.get("member_id") or await _body_member(request)
            windows = [("credential", self._money_per_credential, f"money:{identity}")]
            if member:
                windows.append(("member", self._money_per_member, f"member:{member}"))
            self._take(windows)

    def _take(self, windows: list[tuple[str, RateLimitItem, str]]) -> None:
        # One hit per window and no test first (each call costs ~15-40 us on the recharge
        # path): a request refused by the member's window has used one of its caller's.
        for limit, rate, subject in windows:
            if not self._windows.hit(rate, subject):
                reset = self._windows.get_window_stats(rate, subject).reset_time
                raise rate_limited(limit, reset - self._now(), f"Too many requests by this {limit}.")


class SweptMemoryStorage(MemoryStorage):
    """The `limits` in-memory storage, swept for expired counters every 10 s, not 10 ms.

    Every read already drops an expired counter, so the sweep only gives memory back; at
    its own 10 ms pace it walked every counter (one per member recharging in the last
    window) a hundred times a second, in a new thread each time, holding the GIL the
    recharges need: 45 us a hit instead of 31 with 100,000 members' counters (measured on
    the shared 2-core machine)."""

    SWEEP_SECONDS = 10.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's private hook
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


async def _body_member(request: Request) -> str | None:
    """The member a POS body names (a recharge, a purchase); FastAPI has read the body."""
    try:
        body = orjson.loads(await request.body() or b"null")
    except orjson.JSONDecodeError:
        return None
    member = body.get("member_id") if isinstance(body, dict) else None
    return member if isinstance(member, str) else None


def rate_limited(limit: str, retry_after: float, detail: str) -> Problem:
    return Problem(429, "rate_limited", detail, limit=limit,
                   headers={"Retry-After": str(max(1, math.ceil(retry_after)))})
