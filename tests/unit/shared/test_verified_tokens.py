"""The cache of verified credentials: a hit only while the token is valid, bounded, and an
expired token refused end to end even after it was cached."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from shared.http.auth import Caller, Principal, issue_token
from shared.http.problems import install_problem_handlers
from shared.http.verified_tokens import VerifiedTokens
from shared.settings import DEV_JWT_SECRET

POS = Principal("pos", "pos_1", store_id="store_1")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_token_is_a_hit_until_it_expires_then_gone():
    clock = FakeClock()
    cache: VerifiedTokens[Principal] = VerifiedTokens(clock=clock)
    cache.put("t", POS, expires_at=1_010.0)
    clock.now = 1_009.9
    assert cache.get("t") == POS
    clock.now = 1_010.0
    assert cache.get("t") is None and len(cache) == 0


def test_the_cache_keeps_the_most_recently_used_tokens_within_its_bound():
    cache: VerifiedTokens[str] = VerifiedTokens(max_entries=2, clock=FakeClock())
    cache.put("a", "A", 2_000.0)
    cache.put("b", "B", 2_000.0)
    assert cache.get("a") == "A"
    cache.put("c", "C", 2_000.0)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)


def app_that_names_its_caller() -> FastAPI:
    app = FastAPI()
    app.state.jwt_secret = DEV_JWT_SECRET
    app.state.verified_tokens = VerifiedTokens()
    install_problem_handlers(app)

    @app.get("/whoami")
    async def whoami(caller: Caller) -> dict[str, str]:
        return {"identity": caller.identity}

    return app


async def test_a_token_verified_once_is_refused_after_it_expires():
    app = app_that_names_its_caller()
    key = issue_token(DEV_JWT_SECRET, POS, datetime.now(UTC), timedelta(seconds=2))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wallet") as client:
        first = await client.get("/whoami", headers={"X-Api-Key": key})
        assert (first.status_code, first.json()) == (200, {"identity": "pos:pos_1"})
        assert len(app.state.verified_tokens) == 1
        deadline = time.monotonic() + 5
        while (response := await client.get("/whoami", headers={"X-Api-Key": key})).status_code == 200:
            assert time.monotonic() < deadline, "the expired token was still accepted"
            await asyncio.sleep(0.1)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    assert "expired" in response.json()["detail"]


async def test_a_token_with_a_bad_signature_is_refused_and_not_cached():
    app = app_that_names_its_caller()
    forged = issue_token("another-secret-0123456789abcdef0123", POS, datetime.now(UTC),
                         timedelta(hours=1))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wallet") as client:
        response = await client.get("/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    assert len(app.state.verified_tokens) == 0
