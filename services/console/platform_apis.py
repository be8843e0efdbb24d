"""The console's client of the other services' HTTP APIs.

Every call carries a short-lived ops JWT minted for the logged-in user: `sub` is the user's
name and the scopes are their role's, signed with the platform's `PATRONAGE_JWT_SECRET`.
So the APIs check the user's own scopes and audit each action under their name
(`shared/http/ops_audit.py`); the console holds no credential wider than its user's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from services.console.store.users import OpsUser
from shared.clock import Clock
from shared.http.auth import Principal, issue_token


@dataclass(frozen=True)
class Answer:
    """What a service answered; `problem` is its problem+json body when it refused."""

    status: int
    body: Any = None
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field_errors(self) -> dict[str, str]:
        """The problem's per-field messages (`errors[].location` → `message`, as
        shared/http/problems.py answers a 422), to show by the field."""
        found: dict[str, str] = {}
        for error in self.problem.get("errors") or []:
            location = [str(part) for part in error.get("location") or error.get("loc") or []
                        if part not in ("body", "query", "path")]
            if location:
                found[location[-1]] = str(error.get("message") or error.get("msg") or "")
        return found


class PlatformApis:
    def __init__(self, urls: dict[str, str], jwt_secret: str, clock: Clock,
                 token_lifetime: timedelta, timeout: float,
                 transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> None:
        self._urls = urls
        self._secret = jwt_secret
        self._clock = clock
        self._lifetime = token_lifetime
        self._timeout = timeout
        self._transports = transports or {}  # tests: a service's app in process

    def token_for(self, user: OpsUser) -> str:
        principal = Principal(role="ops", subject=user.username, scopes=user.scopes)
        return issue_token(self._secret, principal, self._clock.now(), self._lifetime)

    async def get(self, user: OpsUser, service: str, path: str,
                  params: dict[str, Any] | None = None) -> Answer:
        return await self._call(user, service, "GET", path, params=params)

    async def post(self, user: OpsUser, service: str, path: str, body: dict[str, Any],
                   idempotency_key: str | None = None) -> Answer:
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        return await self._call(user, service, "POST", path, json=body, headers=headers)

    async def _call(self, user: OpsUser, service: str, method: str, path: str,
                    headers: dict[str, str] | None = None, **options: Any) -> Answer:
        headers = {**(headers or {}), "Authorization": f"Bearer {self.token_for(user)}"}
        async with httpx.AsyncClient(base_url=self._urls[service], timeout=self._timeout,
                                     transport=self._transports.get(service)) as client:
            try:
                response = await client.request(method, path, headers=headers, **options)
            except httpx.HTTPError as error:
                return Answer(503, problem={"code": "service_unavailable",
                                            "detail": f"{service}: {type(error).__name__}"})
        body = response.json() if response.content and "json" in response.headers.get(
            "content-type", "") else None
        if 200 <= response.status_code < 300:
            return Answer(response.status_code, body)
        return Answer(response.status_code, problem=body if isinstance(body, dict) else {})

    async def text(self, service: str, path: str) -> Answer:
        """A service's plain-text page that takes no credential (its Prometheus `/metrics`)."""
        async with httpx.AsyncClient(base_url=self._urls[service], timeout=self._timeout,
                                     transport=self._transports.get(service)) as client:
            try:
                response = await client.get(path)
            except httpx.HTTPError as error:
                return Answer(503, problem={"code": "service_unavailable",
                                            "detail": f"{service}: {type(error).__name__}"})
        if response.status_code != 200:
            return Answer(response.status_code, problem={"code": f"{service}_metrics"})
        return Answer(200, response.text)

    async def download(self, user: OpsUser, service: str, path: str,
                       params: dict[str, Any] | None = None) -> tuple[int, bytes, str]:
        """A file the API answers (a report's CSV) as it sent it: status, bytes and
        content type, for the console to pass through to the browser untouched."""
        headers = {"Authorization": f"Bearer {self.token_for(user)}", "Accept": "text/csv"}
        async with httpx.AsyncClient(base_url=self._urls[service], timeout=self._timeout,
                                     transport=self._transports.get(service)) as client:
            try:
                response = await client.get(path, headers=headers, params=params)
            except httpx.HTTPError:
                return 503, b"", "text/plain"
        return (response.status_code, response.content,
                response.headers.get("content-type", "application/octet-stream"))
