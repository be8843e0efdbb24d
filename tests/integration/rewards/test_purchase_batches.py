"""Rewards' one `PurchaseCompleted` effect (`store/purchases.apply_purchases`: member lock,
coupon redemption, purchase points; written for a consumer batch) leaves the same state and
emits the same events in one big batch as in batches of one: two members with the same
tier, coupon and purchases, one applied as a single batch, the other each purchase alone in
its own transaction. And the batch's offer timeline answers like the database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.store import coupons, offers, tier_programs
from services.rewards.store.purchases import apply_purchases
from shared.clock import FrozenClock
from shared.events.rewards import CouponRedeemed, PointsEarned
from shared.events.tiering import TIER_PROGRAM_KEY, TierBenefitsEntry, TierProgramPublished
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import purchase
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration

START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(START)) as runtime:
        yield runtime


async def prepare(rewards: ServiceRuntime, member_id: str) -> str:
    """A gold member with a coupon; its code."""
    await fetch_all(rewards.platform.database_url,
                    "INSERT INTO rewards.member_tiers (member_id, tier, effective_at) "
                    "VALUES ($1, 'gold', $2)", member_id, START - timedelta(days=1))
    async with rewards.context.uow() as uow:
        template = await coupons.template(uow.connection, "save10_over100")
        return (await coupons.issue(uow, member_id, template, reason="test")).code


async def double_points_for_two_hours(rewards: ServiceRuntime) -> None:
    async with rewards.context.uow() as uow:
        await offers.add_version(uow.connection, {
            "offer_id": "double_points", "kind": "campaign", "name": "Double points",
            "currency": "CNY", "terms": json.dumps({"points_bps": 20_000}),
            "effective_from": START - timedelta(hours=1), "effective_to": START + timedelta(hours=1),
            "created_by": "test", "created_at": START})


def purchases_of(member_id: str, code: str) -> list:
    def at(hours: int, total: int, codes: tuple[str, ...] = (), purchase_id: str | None = None):
        bought = purchase(member_id, total, codes)
        return bought.model_copy(update={"occurred_at": START + timedelta(hours=hours),
                                         "purchase_id": purchase_id or bought.purchase_id})

    live_campaign = at(0, 12_345, purchase_id=f"{member_id}-campaign")
    return [
        at(-2, 12_000, (code,)),  # before the campaign, redeems the coupon
        live_campaign,
        at(0, 12_345, purchase_id=live_campaign.purchase_id),  # the same purchase again
        at(0, 50),  # earns nothing
        at(2, 20_000, (code,)),  # after the campaign; the coupon is used already
    ]


async def apply_in_one_batch(rewards: ServiceRuntime, events: list) -> list:
    async with rewards.context.uow() as uow:
        await apply_purchases(events, uow, rewards.settings)
        return list(uow.pending)


async def apply_one_by_one(rewards: ServiceRuntime, events: list) -> list:
    """Each purchase a batch of one, in its own transaction."""
    emitted = []
    for event in events:
        async with rewards.context.uow() as uow:
            await apply_purchases([event], uow, rewards.settings)
            emitted += uow.pending
    return emitted


def summary(emitted: list, sources: list) -> list:
    caused_by = {event.event_id: n for n, event in enumerate(sources)}
    bought_by = {event.purchase_id: n for n, event in reversed(list(enumerate(sources)))}
    rows = []
    for event in emitted:
        if isinstance(event, PointsEarned):
            facts = (event.points, event.reason, event.balance, event.expires_at,
                     caused_by[event.source_event_id])
        else:
            assert isinstance(event, CouponRedeemed)
            facts = (bought_by[event.purchase_id],)
        rows.append((type(event).__name__, caused_by[event.causation_id], facts))
    return rows


async def state_of(database_url: str, member_id: str) -> dict:
    def query(sql: str):
        return fetch_all(database_url, sql, member_id)

    return {
        "balance": [tuple(r) for r in await query(
            "SELECT balance FROM rewards.points_accounts WHERE member_id = $1")],
        "entries": [tuple(r) for r in await query(
            "SELECT kind, points, balance_after, reason, source_total, remaining, expires_at, "
            "occurred_at FROM rewards.points_entries WHERE member_id = $1 ORDER BY balance_after")],
        "coupons": [tuple(r) for r in await query(
            "SELECT redeemed_at FROM rewards.coupons WHERE member_id = $1")],
    }


async def test_one_batch_of_purchases_matches_batches_of_one(rewards):
    await double_points_for_two_hours(rewards)
    batched = purchases_of("batched", await prepare(rewards, "batched"))
    one_by_one = purchases_of("one_by_one", await prepare(rewards, "one_by_one"))

    emitted_in_batch = await apply_in_one_batch(rewards, batched)
    emitted_one_by_one = await apply_one_by_one(rewards, one_by_one)

    assert summary(emitted_in_batch, batched) == summary(emitted_one_by_one, one_by_one)
    url = rewards.platform.database_url
    assert await state_of(url, "batched") == await state_of(url, "one_by_one")
    earned = [(n, facts[0]) for kind, n, facts in summary(emitted_in_batch, batched)
              if kind == "PointsEarned"]
    # gold x1.5 (tiering's default) throughout; x2 more while the campaign is live; the
    # repeat and 0.50 earn nothing
    assert earned == [(0, 180), (1, 369), (4, 300)]
    assert [kind for kind, _, _ in summary(emitted_in_batch, batched)] == [
        "CouponRedeemed", "PointsEarned", "PointsEarned", "PointsEarned"]


async def test_the_offer_timeline_answers_like_the_database_at_every_moment(rewards):
    await double_points_for_two_hours(rewards)
    async with rewards.context.uow() as uow:
        await tier_programs.record_program(uow.connection, TierProgramPublished(
            occurred_at=START, member_id=TIER_PROGRAM_KEY, program_version=1, measure="spend_12m",
            effective_from=START, tiers=(TierBenefitsEntry(
                name="gold", discount_bps=0, points_multiplier_bps=13_000,
                bonus_multiplier_bps=11_000),)))
    boundaries = [START - timedelta(hours=1), START, START + timedelta(hours=1)]
    moments = sorted({*boundaries, *(b - timedelta(microseconds=1) for b in boundaries),
                      *(START + timedelta(minutes=m) for m in range(-150, 151, 20))})

    async with rewards.context.uow() as uow:
        timeline = await offers.OfferTimeline.read(uow.connection, max(moments))
        for at in moments:
            expected = await offers.live_offers(uow.connection, at, "CNY")
            assert timeline.live_offers(at, "CNY") == expected, at
            assert timeline.program(at, "CNY") == await offers.load_program(
                uow.connection, "CNY", at), at
