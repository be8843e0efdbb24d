"""Tiering's one handler for `PurchaseCompleted` is a batch handler; a single event is a
batch of one. One big batch must leave the same state and emit the same events as the
same purchases in batches of one: two members get the same purchases, one in a single
batch, the other a batch of one per event, and every table and event must match."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.tiering.handlers import on_purchases_completed
from shared.events.tiering import EntitlementGranted, MembershipRenewed, TierChanged
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import purchase, renewal
from tests.support.auth import pos_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


def purchases_of(member_id: str) -> list:
    """Crosses silver, then gold, with a redelivered purchase, an old one and a foreign
    currency on the way."""
    crossing_silver = purchase(member_id, 200_000, START, purchase_id=f"{member_id}-silver")
    return [
        purchase(member_id, 300_000, START - timedelta(days=400)),  # outside the 12 months
        purchase(member_id, 400_000, START),
        crossing_silver,
        purchase(member_id, 200_000, START, purchase_id=crossing_silver.purchase_id),  # same purchase
        purchase(member_id, 5_000_000, START).model_copy(update={"currency": "USD"}),
        purchase(member_id, 1_500_000, START),  # crosses gold
        purchase(member_id, 100_000, START),
    ]


def renewing_purchases_of(member_id: str) -> list:
    """A renewal, spend crossing silver, then a second renewal bought with other goods: its
    spend (1,990,000 without the membership line) stays just short of gold."""
    second_renewal = renewal(member_id, 1, 32_400, START).items
    return [renewal(member_id, 1, 32_400, START), purchase(member_id, 600_000, START),
            purchase(member_id, 1_422_400, START, *second_renewal)]


async def apply_in_one_batch(tiering, events) -> list:
    async with tiering.context.uow() as uow:
        await on_purchases_completed(events, uow, tiering.settings)
        return list(uow.pending)


async def apply_one_by_one(tiering, events) -> list:
    """Each event its own batch and transaction, as the consumer's isolated path runs it."""
    emitted = []
    for event in events:
        async with tiering.context.uow() as uow:
            await on_purchases_completed([event], uow, tiering.settings)
            emitted += uow.pending
    return emitted


def summary(emitted: list, sources: list) -> list:
    """What an emitted event says, with the purchase that caused it as an index."""
    caused_by = {event.event_id: n for n, event in enumerate(sources)}
    rows = []
    for event in emitted:
        if isinstance(event, TierChanged):
            facts = (event.from_tier, event.to_tier, event.direction, event.reason,
                     event.qualifying_amount, event.effective_at)
        elif isinstance(event, EntitlementGranted):  # the tier's or the term's benefits
            facts = (event.code, event.quota, event.period_start, event.period_end,
                     event.granted_for, event.tier)
        else:
            assert isinstance(event, MembershipRenewed)
            facts = (event.term_start, event.term_end, event.years, event.price)
        rows.append((type(event).__name__, caused_by[event.causation_id], facts))
    return rows


async def state_of(database_url: str, member_id: str) -> dict:
    def query(sql: str):
        return fetch_all(database_url, sql, member_id)

    return {
        "tier": [tuple(r) for r in await query("SELECT tier FROM tiering.members WHERE member_id = $1")],
        "spend": [tuple(r) for r in await query(
            "SELECT measure, source_kind, amount, counted_at, refers_to FROM tiering.spend_entries "
            "WHERE member_id = $1 ORDER BY entry_id")],
        "changes": [tuple(r) for r in await query(
            "SELECT from_tier, to_tier, direction, reason, qualifying_amount, rules_version, "
            "effective_at FROM tiering.tier_changes WHERE member_id = $1 ORDER BY change_id")],
        "terms": [tuple(r) for r in await query(
            "SELECT term_start, term_end, years, price, next_due_at FROM tiering.membership_terms "
            "WHERE member_id = $1 ORDER BY term_end")],
        "entitlements": [tuple(r) for r in await query(
            "SELECT code, quota, used, period_start, period_end, granted_for, tier "
            "FROM tiering.entitlements WHERE member_id = $1 ORDER BY period_start, code")],
    }


@pytest.mark.parametrize("enrolled", [True, False], ids=["enrolled", "not_enrolled"])
async def test_a_batch_of_purchases_matches_applying_them_one_by_one(tiering, client, enrolled):
    if enrolled:
        for member_id in ("batched", "one_by_one"):
            response = await client.post("/v1/members", headers=pos_headers(),
                                         json={"member_id": member_id})
            assert response.status_code == 201, response.text
    batched, one_by_one = purchases_of("batched"), purchases_of("one_by_one")

    emitted_in_batch = await apply_in_one_batch(tiering, batched)
    emitted_one_by_one = await apply_one_by_one(tiering, one_by_one)

    assert summary(emitted_in_batch, batched) == summary(emitted_one_by_one, one_by_one)
    url = tiering.platform.database_url
    assert await state_of(url, "batched") == await state_of(url, "one_by_one")
    moves = summary(emitted_in_batch, batched)
    changes = [(n, facts[1]) for kind, n, facts in moves if kind == "TierChanged"]
    assert changes == ([(2, "silver"), (5, "gold")] if enrolled else [])
    granted = [(n, facts[0]) for kind, n, facts in moves if kind == "EntitlementGranted"]
    assert granted == ([(5, "free_service")] if enrolled else [])  # gold's, with the move
    assert len((await state_of(url, "batched"))["spend"]) == 5  # the same purchase counts once


async def test_a_member_renewing_in_the_batch_keeps_renewal_before_upgrade(tiering, client):
    for member_id in ("renews_batched", "renews_one_by_one", "bystander"):
        await client.post("/v1/members", headers=pos_headers(), json={"member_id": member_id})
    batched = [purchase("bystander", 700_000, START), *renewing_purchases_of("renews_batched")]
    one_by_one = renewing_purchases_of("renews_one_by_one")

    emitted_in_batch = await apply_in_one_batch(tiering, batched)
    emitted_one_by_one = await apply_one_by_one(tiering, one_by_one)

    renewing = [e for e in emitted_in_batch if e.member_id == "renews_batched"]
    assert summary(renewing, batched[1:]) == summary(emitted_one_by_one, one_by_one)
    assert [(type(e).__name__, getattr(e, "to_tier", None)) for e in renewing] == [
        ("MembershipRenewed", None), ("EntitlementGranted", None), ("TierChanged", "silver"),
        ("MembershipRenewed", None), ("EntitlementGranted", None)]  # each term's perks
    url = tiering.platform.database_url
    assert await state_of(url, "renews_batched") == await state_of(url, "renews_one_by_one")
    [bystander_change] = [e for e in emitted_in_batch if e.member_id == "bystander"]
    assert bystander_change.to_tier == "silver"
