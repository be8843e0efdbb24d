"""Rewards' one bonus decision (`store/bonus_decisions.decide_bonuses`, written for a consumer
batch) makes exactly the decisions, and emits exactly the events, in one big batch as in
batches of one: the same recharges (velocity, a shared payment reference, a busy terminal,
just under a rung, a first recharge, a recharge sent twice, a budgeted campaign running out)
decided once as one batch and once each alone in its own transaction, each side with its
own members, terminal and references."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.rules.fraud import FraudThresholds
from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from services.rewards.store import offers
from services.rewards.store.bonus_decisions import decide_bonuses
from shared.clock import FrozenClock
from shared.events.rewards import BonusGranted, BonusHeld
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import recharge
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration

START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    # a busy terminal at 4 recharges, so the batch crosses that threshold too
    settings = RewardsSettings(fraud=FraudThresholds(terminal_velocity_max=4))
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(START),
                       settings=settings) as runtime:
        async with runtime.context.uow() as uow:
            await offers.add_version(uow.connection, {
                "offer_id": "festival", "kind": "campaign", "name": "Festival double bonus",
                "currency": "CNY", "terms": json.dumps({"bonus_bps": 20_000}),
                "effective_from": START - timedelta(days=1), "effective_to": START + timedelta(days=1),
                "created_by": "test", "created_at": START - timedelta(days=1),
                "budget": 20_000})
        yield runtime


def recharges(side: str) -> list:
    """One side's recharges, in delivery order; ids, members, terminal and references are
    the side's own, the amounts and moments the same on both sides."""
    def at(minutes: int, member: str, amount: int, *, first: bool = False, reference: str = "",
           terminal: str = "busy"):
        event = recharge(f"{side}-{member}", amount, first=first, terminal=f"{side}-{terminal}",
                         reference=f"{side}-{reference}" if reference else None,
                         lifetime=amount if first else None)
        return event.model_copy(update={"occurred_at": START + timedelta(minutes=minutes)})

    velocity = [at(n, "fast", 10_000) for n in range(4)]  # the 4th in 10 minutes is held
    # 3 members on one reference, delivered newest first (as from different partitions):
    # deciding the first must not count the two delivered after it, though they are older
    shared_card = [at(7, "card1", 50_000, reference="card"), at(6, "card2", 50_000, reference="card"),
                   at(5, "card3", 50_000, reference="card"),
                   at(8, "card4", 50_000, reference="card")]  # sees all three: the rule fires
    under_rung = [at(20 + n, "edge", 49_000, terminal=f"t{n}") for n in range(3)]
    first = at(30, "new", 100_000, first=True, terminal="t9")
    return [*velocity, shared_card[0], first, *shared_card[1:], first.model_copy(
        update={"event_id": recharge("x").event_id}),  # the same recharge, a second event
        *under_rung]


async def in_one_batch(rewards: ServiceRuntime, events: list) -> list:
    async with rewards.context.uow() as uow:
        await decide_bonuses(events, uow, rewards.settings)
        return list(uow.pending)


async def one_by_one(rewards: ServiceRuntime, events: list) -> list:
    """Each recharge a batch of one, in its own transaction: the decision in its plainest
    form, nothing of the batch left out or carried over."""
    emitted = []
    for event in events:
        async with rewards.context.uow() as uow:
            await decide_bonuses([event], uow, rewards.settings)
            emitted += uow.pending
    return emitted


def outcomes(emitted: list, sources: list) -> list:
    index = {event.event_id: n for n, event in enumerate(sources)}
    return [(type(e).__name__, index[e.causation_id], getattr(e, "amount", None),
             tuple(r.rule for r in getattr(e, "reasons", ())), getattr(e, "risk_score", None))
            for e in emitted]


async def decisions_of(database_url: str, side: str) -> list:
    rows = await fetch_all(database_url, """
        SELECT d.status, d.amount, d.reasons::text AS reasons, d.risk_score, d.rules::text AS rules
        FROM rewards.bonus_decisions d JOIN rewards.recharges_seen s USING (recharge_id)
        WHERE d.member_id LIKE $1 ORDER BY s.occurred_at, d.recharge_amount, d.member_id""",
        f"{side}-%")
    return [tuple(row) for row in rows]


async def test_a_batch_decides_every_recharge_as_if_alone(rewards):
    batched, alone = recharges("b"), recharges("a")
    url = rewards.platform.database_url
    batch_events = await in_one_batch(rewards, batched)
    spent_by_batch = await fetch_all(url, "SELECT spent FROM rewards.campaign_budgets")
    await fetch_all(url, "UPDATE rewards.campaign_budgets SET spent = 0")  # the same budget again
    alone_events = await one_by_one(rewards, alone)
    assert await fetch_all(url, "SELECT spent FROM rewards.campaign_budgets") == spent_by_batch

    assert outcomes(batch_events, batched) == outcomes(alone_events, alone)
    assert await decisions_of(url, "b") == await decisions_of(url, "a")
    # the scenario really crosses the rules it is about, and spends the budget out
    screened = {r.rule for e in alone_events for r in getattr(e, "reasons", ())}
    assert {"member_velocity", "terminal_velocity", "shared_payment_reference",
            "just_under_rung"} <= screened
    assert any(isinstance(e, BonusHeld) for e in alone_events)
    assert len(alone_events) == len(alone) - 1  # the second event of one recharge: no decision
    granted = [e for e in alone_events if isinstance(e, BonusGranted)]
    with_campaign = [e for e in granted if "festival" in {rule.id for rule in e.rules}]
    assert with_campaign and len(with_campaign) < len(granted)  # until its budget ran out
