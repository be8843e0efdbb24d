"""The terminal-key registry on the wallet: a key issued per store and terminal is shown
once and kept as SHA-256; it can be listed (never the key), revoked and rotated with an
overlap, every action audited; a revoked key is refused (before: a leaked POS key worked
until the platform secret changed)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.wallet.service import SPEC as WALLET
from shared.clock import FrozenClock
from shared.transport import BusTransport
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
OPS = ops_headers("ops:terminals", user="ops_carol")
KEYS = "/v1/ops/terminals/keys"


async def refresh_revocations(runtime) -> None:
    """One round of the runtime's refresh job instead of waiting up to its interval."""
    await next(job for job in runtime.jobs if job.name == "key_revocations").run_once()


async def status_with(http: httpx.AsyncClient, key: str) -> int:
    return (await http.get("/v1/wallets/m_keys", headers={"X-Api-Key": key})).status_code


async def test_issue_list_rotate_with_overlap_revoke_and_the_audit(bus_platform):
    clock = FrozenClock(datetime.now(UTC))
    async with running(WALLET, bus_platform, BusTransport(), clock=clock) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet") as http:
            issued = await http.post(KEYS, headers=OPS, json={
                "store_id": "store_9", "terminal_id": "pos_9", "extra_stores": ["store_10"],
                "valid_days": 30, "reason": "new till (ticket 1)"})
            assert issued.status_code == 201, issued.text
            first = issued.json()
            assert first["key_id"].startswith("tk_") and first["extra_stores"] == ["store_10"]
            assert await status_with(http, first["key"]) != 401

            rows = await fetch_all(bus_platform.database_url,
                                   "SELECT * FROM wallet.terminal_keys WHERE key_id = $1",
                                   first["key_id"])
            assert bytes(rows[0]["key_sha256"]) == hashlib.sha256(first["key"].encode()).digest()
            assert first["key"] not in repr(dict(rows[0]))
            payloads = await fetch_all(bus_platform.database_url,
                                       "SELECT payload FROM wallet.outbox WHERE key = '_terminal_keys'")
            assert payloads and all(first["key"].encode() not in bytes(r["payload"]) for r in payloads)

            listed = (await http.get(KEYS, headers=OPS, params={"store_id": "store_9"})).json()
            assert [k["key_id"] for k in listed["items"]] == [first["key_id"]]
            assert "key" not in listed["items"][0] and "key_sha256" not in listed["items"][0]
            assert (await http.get(KEYS, headers=ops_headers("ops:report"))).status_code == 403

            rotated = await http.post(f"{KEYS}/{first['key_id']}/rotation", headers=OPS,
                                      json={"overlap_minutes": 60, "reason": "yearly"})
            assert rotated.status_code == 201, rotated.text
            second = rotated.json()
            assert second["replaces_key_id"] == first["key_id"]
            assert second["replaced"]["revoked_at"] is not None
            await refresh_revocations(wallet)
            assert await status_with(http, first["key"]) != 401  # the overlap: both work
            assert await status_with(http, second["key"]) != 401

            clock.advance(timedelta(minutes=60))
            await refresh_revocations(wallet)
            refused = await http.get("/v1/wallets/m_keys", headers={"X-Api-Key": first["key"]})
            assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")
            assert await status_with(http, second["key"]) != 401
            again = await http.post(f"{KEYS}/{first['key_id']}/rotation", headers=OPS,
                                    json={"reason": "twice"})
            assert (again.status_code, again.json()["code"]) == (409, "key_revoked")

            revoked = await http.post(f"{KEYS}/{second['key_id']}/revocation", headers=OPS,
                                      json={"reason": "terminal stolen (ticket 2)"})
            assert revoked.status_code == 200, revoked.text
            await refresh_revocations(wallet)
            assert await status_with(http, second["key"]) == 401
            twice = await http.post(f"{KEYS}/{second['key_id']}/revocation", headers=OPS,
                                    json={"reason": "again"})
            assert (twice.status_code, twice.json()["code"]) == (409, "key_revoked")
            unknown = await http.post(f"{KEYS}/tk_nope/revocation", headers=OPS,
                                      json={"reason": "x"})
            assert (unknown.status_code, unknown.json()["code"]) == (404, "terminal_key_not_found")

            audit = (await http.get(f"{KEYS}/{first['key_id']}", headers=OPS)).json()
            assert [(a["action"], a["actor"], a["reason"]) for a in audit["actions"]] == [
                ("issue", "ops:ops_carol", "new till (ticket 1)"),
                ("rotate", "ops:ops_carol", "yearly")]
            audit = (await http.get(f"{KEYS}/{second['key_id']}", headers=OPS)).json()
            assert [a["action"] for a in audit["actions"]] == ["issue", "revoke"]


async def test_a_restarted_wallet_refuses_a_revoked_key_from_its_first_request(bus_platform):
    async with running(WALLET, bus_platform, BusTransport()) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet") as http:
            key = (await http.post(KEYS, headers=OPS, json={
                "store_id": "store_9", "terminal_id": "pos_8", "reason": "r"})).json()
            assert (await http.post(f"{KEYS}/{key['key_id']}/revocation", headers=OPS,
                                    json={"reason": "leaked"})).status_code == 200
    async with running(WALLET, bus_platform, BusTransport()) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet") as http:
            assert await status_with(http, key["key"]) == 401


@pytest.mark.parametrize("body", [
    {"store_id": "store_9", "terminal_id": "pos_9", "reason": "r", "valid_days": 0},
    {"store_id": "store_9", "terminal_id": "pos_9", "reason": "r", "valid_days": 731},
    {"store_id": "store\u202e9", "terminal_id": "pos_9", "reason": "r"},
    {"store_id": "store_9", "terminal_id": "pos_9"},
])
async def test_bad_issue_requests_are_422(bus_platform, body):
    async with running(WALLET, bus_platform, BusTransport()) as wallet:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet") as http:
            assert (await http.post(KEYS, headers=OPS, json=body)).status_code == 422


async def test_a_refresh_that_cannot_read_keeps_the_last_list_and_logs_once(bus_platform):
    from structlog.testing import capture_logs

    from shared.db.revoked_keys import key_revocations_job
    from shared.runtime import ServiceRuntime
    from tests.support.tcp_proxy import free_port

    platform = bus_platform.model_copy(update={
        "database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/none"})
    runtime = ServiceRuntime(WALLET, platform, BusTransport())
    runtime.context.revoked_keys.replace({"tk_known": 0.0})
    job = key_revocations_job(runtime.context, WALLET.revoked_keys)
    try:
        with capture_logs() as logs:
            for _ in range(3):
                await job.run_once()
    finally:
        await runtime.engine.dispose()
    assert [line["event"] for line in logs if line["event"].startswith("key_revocations")] == [
        "key_revocations_stale"]
    assert runtime.context.revoked_keys.is_revoked("tk_known")


async def test_the_refresh_reads_on_its_own_connection_never_the_requests_engine(bus_platform):
    from sqlalchemy import event

    async with running(WALLET, bus_platform, BusTransport()) as wallet:
        on_engine: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            on_engine.append(statement)

        event.listen(wallet.engine.sync_engine, "before_cursor_execute", count)
        try:
            await refresh_revocations(wallet)
        finally:
            event.remove(wallet.engine.sync_engine, "before_cursor_execute", count)
        assert on_engine == []
