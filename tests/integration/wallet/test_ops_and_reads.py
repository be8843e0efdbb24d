"""Ops (adjustments, expiry as breakage, ledger check, liability report) and reads
(balance now and in the past, statement with running balances, paged history)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.wallet.service import SPEC as WALLET
from shared.clock import FrozenClock
from shared.events.wallet import WalletAdjusted
from shared.transport import BusTransport
from tests.integration.wallet.money import (
    OPS,
    balance,
    bonus_status,
    books_are_right,
    deliver,
    granted,
    key,
    published,
    purchase,
    recharge,
)
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
async def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def timed(bus_platform, clock) -> AsyncIterator[tuple]:
    async with running(WALLET, bus_platform, BusTransport(), clock=clock) as runtime:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                     base_url="http://wallet", headers=pos_headers()) as http:
            yield runtime, http


async def test_due_bonus_expires_as_breakage_and_principal_never_expires(timed, clock):
    runtime, client = timed
    paid = await recharge(client, "m_exp", 50_000)
    await deliver(runtime, granted("m_exp", paid["recharge_id"], 8_000))
    await bonus_status(client, paid["recharge_id"], "credited")
    await purchase(client, "m_exp", 5_800)
    body = (await client.get("/v1/wallets/m_exp")).json()
    assert body["bonus_expiring"] == [{"amount": 7_200, "expires_at": "2027-01-31T09:00:00Z"}]

    clock.advance(timedelta(days=366))
    run = await client.post("/v1/ops/expire-bonus-lots", headers={"X-Api-Key": "", **OPS})

    assert run.json() == {"wallets": 1, "lots": 1, "amount": 7_200}
    assert await balance(client, "m_exp") == (45_000, 0)
    report = (await client.get("/v1/ops/reports/liability", headers={"X-Api-Key": "", **OPS})).json()
    [cny] = report["currencies"]
    assert (cny["principal"], cny["bonus"], cny["breakage"], cny["bonus_expense"]) == (
        45_000, 0, 7_200, 8_000)
    await books_are_right(runtime)


async def test_balance_at_a_past_moment_comes_from_the_ledger(timed, clock):
    _, client = timed
    await recharge(client, "m_past", 10_000)
    first = clock.now()
    clock.advance(timedelta(days=1))
    await purchase(client, "m_past", 4_000)
    past = (await client.get("/v1/wallets/m_past", params={"as_of": first.isoformat()})).json()
    assert (past["principal"], past["balance"]) == (10_000, 10_000)
    assert await balance(client, "m_past") == (6_000, 0)


async def test_adjustments_are_audited_and_refused_when_not_held(client, wallet, bus_platform):
    await recharge(client, "m_adj", 1_000)
    ops = {"X-Api-Key": "", **OPS}
    body = {"member_id": "m_adj", "currency": "CNY", "bonus_delta": 300, "principal_delta": -200,
            "reason": "goodwill for a broken machine"}

    made = await client.post("/v1/ops/adjustments", headers={**key(), **ops}, json=body)
    too_much = await client.post("/v1/ops/adjustments", headers={**key(), **ops},
                                 json={**body, "principal_delta": -5_000, "bonus_delta": 0})
    empty = await client.post("/v1/ops/adjustments", headers={**key(), **ops},
                              json={**body, "principal_delta": 0, "bonus_delta": 0})
    no_scope = await client.post("/v1/ops/adjustments", json=body, headers={
        **key(), "X-Api-Key": "", **ops_headers("ops:report")})

    assert made.status_code == 201 and made.json()["actor"] == "ops:ops_alice"
    assert (too_much.status_code, too_much.json()["code"]) == (422, "insufficient_balance")
    assert (empty.status_code, empty.json()["code"]) == (422, "adjustment_is_empty")
    assert (no_scope.status_code, no_scope.json()["code"]) == (403, "forbidden")
    [event] = await published(bus_platform.database_url, WalletAdjusted)
    assert (event.principal_delta, event.bonus_delta, event.actor) == (-200, 300, "ops:ops_alice")
    assert await balance(client, "m_adj") == (800, 300)
    verify = (await client.get("/v1/ops/ledger/verify", headers=ops)).json()
    assert verify["ok"] and verify["problems"] == [] and verify["wallets"] >= 1


async def test_verify_finds_a_wallet_whose_cache_disagrees_with_the_ledger(client, wallet):
    await recharge(client, "m_broken", 1_000)
    async with wallet.engine.begin() as db:
        await db.execute(text("UPDATE wallets SET principal = 999 WHERE member_id = 'm_broken'"))
    verify = (await client.get("/v1/ops/ledger/verify", headers={"X-Api-Key": "", **OPS})).json()
    assert not verify["ok"] and "m_broken" in verify["problems"][0]


async def test_the_ledger_refuses_edits(client, wallet):
    await recharge(client, "m_edit", 1_000)
    with pytest.raises(DBAPIError, match="append-only"):
        async with wallet.engine.begin() as db:
            await db.execute(text("UPDATE journal_lines SET amount = 0"))


async def test_statement_pages_with_running_balances_and_sources(client):
    paid = [await recharge(client, "m_st", 1_000 * n) for n in (1, 2, 3)]
    await purchase(client, "m_st", 500)
    me = {"X-Api-Key": "", **member_headers("m_st")}

    first = (await client.get("/v1/wallets/m_st/statement", params={"limit": 3}, headers=me)).json()
    second = (await client.get("/v1/wallets/m_st/statement", headers=me,
                               params={"limit": 3, "cursor": first["next_cursor"]})).json()

    lines = first["items"] + second["items"]
    assert [(x["kind"], x["principal_change"], x["principal_balance"]) for x in lines] == [
        ("purchase", -500, 5_500), ("recharge", 3_000, 6_000), ("recharge", 2_000, 3_000),
        ("recharge", 1_000, 1_000)]
    assert lines[-1]["source_id"] == paid[0]["recharge_id"] and second["next_cursor"] is None
    by_pos = await client.get("/v1/wallets/m_st/statement")
    assert (by_pos.status_code, by_pos.json()["code"]) == (403, "forbidden")
    bad = await client.get("/v1/wallets/m_st/statement", params={"cursor": "nope"}, headers=me)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")


async def test_history_is_paged_and_a_terminal_sees_only_its_store(client):
    for _ in range(3):
        await recharge(client, "m_h", 100)
    client.headers.update(pos_headers("store_2"))
    await recharge(client, "m_h", 100, store="store_2")
    client.headers.update(pos_headers("store_1"))
    me = {"X-Api-Key": "", **member_headers("m_h")}
    page = (await client.get("/v1/wallets/m_h/recharges", params={"limit": 2}, headers=me)).json()
    rest = (await client.get("/v1/wallets/m_h/recharges", headers=me,
                             params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 2 and rest["next_cursor"] is None
    mine = (await client.get("/v1/wallets/m_h/recharges")).json()["items"]
    assert len(mine) == 3 and {r["store_id"] for r in mine} == {"store_1"}
    assert mine[0]["bonus"] == {"status": "pending", "amount": None}
    bought = await purchase(client, "m_h", 150)
    purchases = (await client.get("/v1/wallets/m_h/purchases", headers=me)).json()
    assert [p["purchase_id"] for p in purchases["items"]] == [bought["purchase_id"]]
    other_member = await client.get("/v1/wallets/m_h/recharges",
                                    headers={"X-Api-Key": "", **member_headers("m_x")})
    assert other_member.status_code == 403


async def test_every_route_is_documented_with_examples(client):
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/v1/recharges", "/v1/purchases", "/v1/purchases/{purchase_id}/refunds",
                 "/v1/recharges/{recharge_id}/refund", "/v1/ops/adjustments"):
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = body.rsplit("/", 1)[-1]
        assert spec["components"]["schemas"][name].get("examples"), name
    assert {"/v1/wallets/{member_id}", "/v1/wallets/{member_id}/statement",
            "/v1/ops/ledger/verify", "/v1/ops/reports/liability"} <= set(paths)
