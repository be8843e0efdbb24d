"""The fraud screen reading rewards' own history in PostgreSQL: each history-backed rule
fires from the recharges and refunds rewards was told about."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.events.wallet import RechargeRefunded
from shared.transport import BusTransport
from tests.integration.rewards.feed import apply, recharge
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration


async def decision(database_url: str, recharge_id: str) -> tuple[str, list[str]]:
    [row] = await fetch_all(database_url, "SELECT status, reasons::text AS reasons FROM "
                            "rewards.bonus_decisions WHERE recharge_id = $1", recharge_id)
    return row["status"], [r["rule"] for r in json.loads(row["reasons"])]


async def test_terminal_velocity_counts_one_stores_terminal(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        for n in range(20):
            await apply(rewards, recharge(f"m_t{n}", 10_000, terminal="pos_busy"))
        other_store = recharge("m_other", 10_000, terminal="pos_busy").model_copy(
            update={"store_id": "store_2"})
        await apply(rewards, other_store)
        twenty_first = recharge("m_t21", 10_000, terminal="pos_busy")
        await apply(rewards, twenty_first)
    url = bus_platform.database_url
    assert await decision(url, other_store.recharge_id) == ("granted", [])
    assert await decision(url, twenty_first.recharge_id) == ("held", ["terminal_velocity"])


async def test_a_large_recharge_against_a_modest_history_is_held(bus_platform):
    history = [recharge("m_modest", 10_000) for _ in range(3)]
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        for event in history:
            await apply(rewards, event.model_copy(update={"occurred_at": datetime(2026, 1, 1, tzinfo=UTC)}))
        big = recharge("m_modest", 100_000)
        await apply(rewards, big)
    assert await decision(bus_platform.database_url, big.recharge_id) == ("held", ["large_vs_history"])


async def test_a_member_who_refunds_bonus_bearing_recharges_is_held(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        for n in range(2):
            await apply(rewards, RechargeRefunded(
                occurred_at=datetime.now(UTC), member_id="m_refunder", refund_id=f"rf-{n}",
                recharge_id=f"old-{n}", currency="CNY", principal_refunded=50_000,
                bonus_clawed_back=8_000))
        event = recharge("m_refunder", 50_000)
        await apply(rewards, event)
    assert await decision(bus_platform.database_url, event.recharge_id) == (
        "held", ["refund_after_bonus"])


async def test_recharges_repeated_just_under_a_rung_are_held(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        events = [recharge("m_edge", 49_000) for _ in range(3)]
        for event in events:
            await apply(rewards, event)
    url = bus_platform.database_url
    assert (await decision(url, events[1].recharge_id))[0] == "granted"
    assert await decision(url, events[2].recharge_id) == ("held", ["just_under_rung"])


async def test_a_held_bonus_whose_recharge_is_refunded_is_rejected_before_review(bus_platform):
    held = recharge("m_refund_held", 300_000, first=True, lifetime=300_000)
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        await apply(rewards, held)
        await apply(rewards, RechargeRefunded(
            occurred_at=datetime.now(UTC), member_id="m_refund_held", refund_id="rf-held",
            recharge_id=held.recharge_id, currency="CNY", principal_refunded=300_000,
            bonus_clawed_back=0))
    assert await decision(bus_platform.database_url, held.recharge_id) == (
        "rejected", ["new_member_large_first"])
    outbox = await fetch_all(bus_platform.database_url,
                             "SELECT ce_type, payload FROM rewards.outbox ORDER BY position")
    assert [r["ce_type"].split(".")[2] for r in outbox] == ["BonusHeld", "BonusRejected"]
    assert b"recharge_refunded" in outbox[1]["payload"]
