"""How recharge groups form and are answered (store/recharge_groups.py), with a stand-in
for the statement pool; the SQL itself is tested on PostgreSQL
(tests/integration/wallet/test_recharge_group_commit.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import orjson
import pytest

from services.wallet.store.recharge_groups import RechargeGroups, group_json
from services.wallet.store.recharges import ARGUMENTS, RefusedInGroup


def arguments(n: int) -> dict:
    values = dict.fromkeys(ARGUMENTS)
    values.update(key=f"k{n}", hash=b"\x01\xff", recharge_id=uuid.UUID(int=n),
                  now=datetime(2026, 11, 29, tzinfo=UTC), payload='{"amount": 5}',
                  lines='[{"account": "cash"}]', limits='{"card": {}}', amount=n)
    return values


class Pool:
    """`fetch` answers the group statement: every call created, but keys named in `refuse`."""

    def __init__(self, refuse: frozenset[str] = frozenset(), fail: bool = False) -> None:
        self.groups: list[list[dict]] = []
        self.alone: list[tuple] = []
        self.refuse, self.fail = refuse, fail

    async def fetch(self, query: str, calls: str) -> list[dict]:
        group = orjson.loads(calls)
        self.groups.append(group)
        if self.fail:
            raise ConnectionError("lost")
        return [{"call_no": call["i"], "call_outcome": "refused" if call["p_key"] in self.refuse
                 else "created", "call_status": 201, "call_body": call["p_key"].encode(),
                 "error_state": "P0001", "error_message": "wallet_frozen", "error_detail": ""}
                for call in reversed(group)]  # in any order: answered by call_no

    async def fetchrow(self, query: str, *values: object) -> dict:
        self.alone.append(values)
        return {"outcome": "created", "status_code": 201, "body": b"alone"}


class Statements:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def fetchrow(self, query: str, *values: object) -> dict:
        return await self.pool.fetchrow(query, *values)


def test_the_group_json_names_each_argument_and_embeds_the_json_ones_as_json():
    [call] = orjson.loads(group_json([(arguments(3), None)]))
    assert call["i"] == 0 and call["p_key"] == "k3" and call["p_amount"] == 3
    assert call["p_hash"] == "\\x01ff"  # bytea's hex input
    assert call["p_payload"] == {"amount": 5} and call["p_lines"] == [{"account": "cash"}]
    assert call["p_recharge_id"] == str(uuid.UUID(int=3)) and call["p_freeze_payload"] is None
    assert set(call) == {"i"} | {f"p_{name}" for name in ARGUMENTS}


async def test_a_full_group_is_written_at_once_and_each_gets_its_own_answer():
    pool = Pool(refuse=frozenset({"k2"}))
    groups = RechargeGroups(Statements(pool), window=10.0, max_size=4)  # only size closes it
    answers = await asyncio.gather(*(groups.write(arguments(n)) for n in range(4)),
                                   return_exceptions=True)
    assert [len(g) for g in pool.groups] == [4]
    assert answers[0] == ("created", 201, b"k0") and answers[3] == ("created", 201, b"k3")
    assert isinstance(answers[2], RefusedInGroup)
    assert (answers[2].sqlstate, answers[2].message, answers[2].detail) == (
        "P0001", "wallet_frozen", None)


async def test_the_window_closes_a_group_that_is_not_full():
    pool = Pool()
    groups = RechargeGroups(Statements(pool), window=0.01, max_size=100)
    first = await asyncio.gather(*(groups.write(arguments(n)) for n in range(3)))
    second = await groups.write(arguments(9))
    assert [len(g) for g in pool.groups] == [3, 1]
    assert [a[2] for a in first] == [b"k0", b"k1", b"k2"] and second[2] == b"k9"
    assert (groups.groups_written, groups.recharges_written) == (2, 4)


async def test_a_group_whose_statement_fails_is_written_one_by_one():
    pool = Pool(fail=True)
    groups = RechargeGroups(Statements(pool), window=0.01, max_size=100)
    answers = await asyncio.gather(*(groups.write(arguments(n)) for n in range(3)))
    assert answers == [("created", 201, b"alone")] * 3 and len(pool.alone) == 3
    assert sorted(values[1] for values in pool.alone) == ["k0", "k1", "k2"]  # p_key, in order
    assert groups.groups_written == 0


@pytest.mark.parametrize("size", [1, 2])
async def test_max_size_closes_every_group(size):
    pool = Pool()
    groups = RechargeGroups(Statements(pool), window=10.0, max_size=size)
    await asyncio.gather(*(groups.write(arguments(n)) for n in range(4)))
    assert [len(g) for g in pool.groups] == [size] * (4 // size)
