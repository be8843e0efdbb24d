"""Group commit of recharges (store/recharge_groups.py) on real PostgreSQL: 50 concurrent
recharges, mixed, each answered on its own and the ledger exactly what the answers say."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.rules.recharges import PosReferenceReused, StoredValueLimits
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from services.wallet.store import recharge_groups
from services.wallet.store.recharge_groups import RechargeGroups
from services.wallet.store.recharges import record_recharge
from shared.clock import SystemClock
from shared.db.statement_pool import StatementPool
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics
from shared.transport import BusTransport
from tests.integration.wallet.money import books_are_right, published
from tests.integration.wallet.test_recharge_hot_path import log_every_pooled_query
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
# A window wide enough that the 50 requests of the burst really share groups on a busy machine.
GROUPED = WalletSettings(group_commit_enabled=True, group_commit_window_ms=20,
                         group_commit_max_size=16)


def body(member: str, amount: int, pos_reference: str | None = None) -> dict:
    return {"member_id": member, "amount": amount, "currency": "CNY", "payment_method": "cash",
            "payment_reference": uuid.uuid4().hex, "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos",
            "pos_reference": pos_reference or uuid.uuid4().hex}


async def post(client: httpx.AsyncClient, key: str, json: dict) -> httpx.Response:
    return await client.post("/v1/recharges", json=json, headers={"Idempotency-Key": key})


async def test_fifty_concurrent_recharges_each_get_their_own_answer(bus_platform):
    run = uuid.uuid4().hex[:8]
    members = [f"m_gc_{run}_{n}" for n in range(12)]
    frozen, full = f"m_gc_{run}_frozen", f"m_gc_{run}_full"
    async with running(WALLET, bus_platform, BusTransport(), settings=GROUPED) as wallet, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                              base_url="http://wallet", headers=pos_headers("store_1")) as pos:
        # Before the burst: ten recorded recharges (to replay), a frozen wallet and a card
        # at its balance cap (100,000 for a card that never enrolled).
        recorded = [(uuid.uuid4().hex, body(members[n], 1_000 + n)) for n in range(10)]
        stored = {}
        for k, b in recorded:
            first = await post(pos, k, b)
            assert first.status_code == 201, first.text
            stored[k] = first.content
        assert (await post(pos, uuid.uuid4().hex, body(full, 100_000))).status_code == 201
        assert (await post(pos, uuid.uuid4().hex, body(frozen, 500))).status_code == 201
        freezing = await pos.post(f"/v1/ops/wallets/{frozen}/freeze", json={"reason": "lost"},
                                  headers={"Idempotency-Key": uuid.uuid4().hex,
                                           "X-Api-Key": "", **ops_headers("ops:risk")})
        assert freezing.status_code == 201, freezing.text

        fresh = [(uuid.uuid4().hex, body(members[n % 12], 100 + n)) for n in range(34)]
        twin_key = uuid.uuid4().hex  # one new key sent twice at once with different bodies
        twins = [(twin_key, body(members[0], 7_001)), (twin_key, body(members[1], 7_002))]
        burst = [
            *fresh, *twins, *recorded,                       # 34 + 2 + 10
            (uuid.uuid4().hex, body(frozen, 300)),           # 423 wallet_frozen
            (uuid.uuid4().hex, body(full, 1)),               # 422 balance_limit_exceeded
            (recorded[0][0], body(members[0], 9_999)),       # 422 idempotency_key_reused
            (uuid.uuid4().hex, body(members[2], 50, recorded[1][1]["pos_reference"])),  # 409
        ]
        assert len(burst) == 50
        queries: list[str] = []
        await log_every_pooled_query(wallet.statements.pool, queries)
        answers = await asyncio.gather(*(post(pos, k, b) for k, b in burst))
        await the_answers_and_the_ledger_agree(wallet, bus_platform.database_url, run, answers,
                                               recorded, stored, members, {full: 100_000,
                                                                           frozen: 500})
    # They were written in groups: fewer statements than recharges, none alone.
    groups = [q for q in queries if "wallet_recharge_group(" in q]
    assert 1 <= len(groups) < 20 and all("wallet_recharge(" not in q for q in queries)


def status_and_code(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code")


async def the_answers_and_the_ledger_agree(wallet, database_url: str, run: str, answers: list,
                                           recorded: list, stored: dict, members: list,
                                           balances: dict[str, int]) -> None:
    fresh_answers, twin_answers = answers[:34], answers[34:36]
    replays, refused = answers[36:46], answers[46:]
    assert all(a.status_code == 201 and "Idempotent-Replayed" not in a.headers
               for a in fresh_answers), [a.text for a in fresh_answers if a.status_code != 201]
    assert [(a.status_code, a.headers.get("Idempotent-Replayed"), a.content) for a in replays] == [
        (201, "true", stored[k]) for k, _ in recorded]
    assert [status_and_code(a) for a in refused] == [
        (423, "wallet_frozen"), (422, "balance_limit_exceeded"),
        (422, "idempotency_key_reused"), (409, "pos_reference_reused")]
    # The twins: one recorded; the other told the key is taken (in the same group:
    # key_reused; in another group in flight at the same time: in progress).
    [recorded_twin] = [a for a in twin_answers if a.status_code == 201]
    [other_twin] = [a for a in twin_answers if a is not recorded_twin]
    assert status_and_code(other_twin) in (
        (409, "request_in_progress"), (422, "idempotency_key_reused")), other_twin.text
    twin = recorded_twin.json()

    # The ledger holds exactly the recharges answered 201 the first time, each once, and
    # nothing of the refused ones.
    created = [a.json() for a in fresh_answers] + [twin]
    created_ids = {c["recharge_id"] for c in created}
    rows = await fetch_all(database_url, "SELECT recharge_id::text AS id, member_id, amount "
                           "FROM wallet.recharges WHERE member_id LIKE $1", f"m_gc_{run}_%")
    assert sorted((r["id"], r["member_id"], r["amount"]) for r in rows if r["id"] in created_ids) \
        == sorted((c["recharge_id"], c["member_id"], c["amount"]) for c in created)
    assert len(created_ids) == 35 and len(rows) == 12 + 35
    wallets = await fetch_all(database_url, "SELECT member_id, principal FROM wallet.wallets "
                              "WHERE member_id LIKE $1", f"m_gc_{run}_%")
    expected = dict(balances)
    for b in [b for _, b in recorded] + created:
        expected[b["member_id"]] = expected.get(b["member_id"], 0) + b["amount"]
    assert {w["member_id"]: w["principal"] for w in wallets} == expected
    # Each receipt's balance is its wallet's after it: the last of a member's is the total.
    for member in members:
        assert max(c["principal_balance"] for c in created if c["member_id"] == member) \
            == expected[member]
    # Each created recharge's own event, once.
    events = [e for e in await published(database_url, RechargeCompleted)
              if e.recharge_id in created_ids]
    assert sorted(e.recharge_id for e in events) == sorted(created_ids)
    await books_are_right(wallet)


async def test_a_group_whose_statement_fails_is_written_one_by_one(bus_platform, monkeypatch):
    # Not a refusal of one recharge: the whole statement fails (here, a function that is
    # not there), so nothing of the group commits and each recharge is written alone.
    monkeypatch.setattr(recharge_groups, "GROUP_CALL", "SELECT * FROM no_such_group($1)")
    statements = StatementPool(bus_platform.database_url, "wallet", size=4)
    await statements.open()
    groups = RechargeGroups(statements, window=0.05, max_size=8)
    run = uuid.uuid4().hex[:8]
    reused = uuid.uuid4().hex

    async def one(member: str, pos_reference: str) -> object:
        request = RechargeRequest(**body(member, 100, pos_reference))
        try:
            return await record_recharge(
                statements, scope="test", key=uuid.uuid4().hex, fingerprint=b"x",
                request=request, limits=StoredValueLimits({"CNY"}, 10**6, 10**6),
                clock=SystemClock(), topics=Topics(""), reference_key="k", writer=groups)
        except PosReferenceReused as refused:
            return refused

    try:
        outcomes = await asyncio.gather(
            *(one(f"m_gcf_{run}_{n}", uuid.uuid4().hex) for n in range(5)),
            one(f"m_gcf_{run}_a", reused), one(f"m_gcf_{run}_b", reused))
    finally:
        await statements.close()
    assert [o.outcome for o in outcomes[:5]] == ["created"] * 5
    assert sorted(type(o).__name__ for o in outcomes[5:]) == ["PosReferenceReused",
                                                              "RechargeOutcome"]
    assert groups.groups_written == 0
    rows = await fetch_all(bus_platform.database_url, "SELECT count(*) AS n FROM wallet.recharges "
                           "WHERE member_id LIKE $1", f"m_gcf_{run}_%")
    assert rows[0]["n"] == 6
