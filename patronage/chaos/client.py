"""How the chaos load talks to the services: a request is retried, with the same body and
the same Idempotency-Key, until it gets a definitive answer (2xx or a 4xx other than 409
`request_in_progress` and 429) or its deadline passes. What the load was told is tallied:
only a 2xx is an acknowledgement, and only acknowledged effects must be found afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from shared.http.auth import Principal, issue_token
from shared.settings import DEV_JWT_SECRET

RETRY_DEADLINE = 90.0  # seconds a request keeps retrying: longer than any one fault lasts


def credential(principal: Principal) -> str:
    return issue_token(DEV_JWT_SECRET, principal, datetime.now(UTC), timedelta(hours=6))


def pos_headers(terminal: str, store: str = "store_1") -> dict[str, str]:
    return {"X-Api-Key": credential(Principal("pos", terminal, store_id=store))}


def ops_headers(*scopes: str) -> dict[str, str]:
    principal = Principal("ops", "ops_chaos", scopes=frozenset(scopes))
    return {"Authorization": f"Bearer {credential(principal)}"}


@dataclass
class Tally:
    """What the load was told, per kind of request."""

    acknowledged: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # a definitive 4xx
    unknown: Counter = field(default_factory=Counter)  # no definitive answer by the deadline
    retries: Counter = field(default_factory=Counter)
    enrolled: set[str] = field(default_factory=set)
    recharges: dict[str, str] = field(default_factory=dict)  # payment_reference -> recharge_id
    purchases: dict[str, str] = field(default_factory=dict)  # order_reference -> purchase_id
    refunds: dict[str, str] = field(default_factory=dict)  # refund_id -> purchase_id
    reviews: dict[str, str] = field(default_factory=dict)  # grant_id -> approve | reject


def retryable(response: httpx.Response) -> bool:
    if response.status_code >= 500 or response.status_code == 429:
        return True
    return response.status_code == 409 and _code(response) == "request_in_progress"


def _code(response: httpx.Response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


class Client:
    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=3.0))

    async def send(self, kind: str, method: str, url: str, *, headers: dict[str, str],
                   json: object = None, idempotency_key: str | None = None
                   ) -> httpx.Response | None:
        """The definitive answer, or None when the deadline passed without one."""
        if idempotency_key is not None:
            headers = {**headers, "Idempotency-Key": idempotency_key}
        deadline, pause = time.monotonic() + RETRY_DEADLINE, 0.2
        while True:
            try:
                response = await self.http.request(method, url, headers=headers, json=json)
                if not retryable(response):
                    return response
            except httpx.HTTPError:
                pass  # refused, reset or timed out: the outcome is unknown, so ask again
            if time.monotonic() > deadline:
                self.tally.unknown[kind] += 1
                return None
            self.tally.retries[kind] += 1
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 2.0)

    def record(self, kind: str, response: httpx.Response | None) -> bool:
        """Count a definitive answer; True for an acknowledgement."""
        if response is None:
            return False
        if response.is_success:
            self.tally.acknowledged[kind] += 1
            return True
        self.tally.refused[f"{kind} {response.status_code} {_code(response)}"] += 1
        return False

    async def close(self) -> None:
        await self.http.aclose()
