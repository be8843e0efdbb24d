"""Tiering's `PurchaseCompleted`, a consumer batch at a time: the same effects and events as
`TieringHandlers.on_purchase_completed` applied event by event, in a handful of statements.

- One statement locks every member of the batch (members.lock_members, member id order).
- Members with a membership renewal in the batch are applied event by event (rare; it also
  emits `MembershipRenewed`, whose order against `TierChanged` must hold).
- For the others, one statement records every spend entry; the enrolled members' standings
  are read once, before; then the upgrade check runs in memory after each event, exactly
  as it would after that event's entry, and only an actual upgrade writes (members.
  apply_decision: row, history, `TierChanged`), in event order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import Row

from services.tiering import qualifying, rule_sets
from services.tiering.members import apply_decision, lock_members
from services.tiering.memberships import renewal_in
from services.tiering.tiers import Standing, add_years, upgrade
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted

if TYPE_CHECKING:
    from services.tiering.handlers import TieringHandlers


async def apply_purchases(tiering: TieringHandlers, events: Sequence[PurchaseCompleted],
                          uow: UnitOfWork) -> None:
    members = await lock_members(uow.connection, [event.member_id for event in events])
    renewing = {event.member_id for event in events if renewal_in(event) is not None}
    for event in events:
        if event.member_id in renewing:
            await tiering.on_purchase_completed(event, uow)
    counted = [e for e in events if e.member_id not in renewing and tiering.counts(e)]
    if counted:
        await _record_and_upgrade(tiering, counted, members, uow)


async def _record_and_upgrade(tiering: TieringHandlers, events: Sequence[PurchaseCompleted],
                              members: dict[str, Row], uow: UnitOfWork) -> None:
    db, now = uow.connection, uow.clock.now()
    enrolled = sorted({e.member_id for e in events if e.member_id in members})
    sums = await qualifying.unclipped_standings(db, enrolled, now) if enrolled else {}
    first_of_purchase: dict[str, PurchaseCompleted] = {}
    for event in events:
        first_of_purchase.setdefault(event.purchase_id, event)
    recorded = await qualifying.record_purchases(db, [
        qualifying.PurchaseEntry(e.member_id, e.purchase_id, e.total, e.occurred_at)
        for e in first_of_purchase.values()])
    if not enrolled:
        return
    rules = await rule_sets.rules_in_force(db, tiering.settings.default_rules())
    tiers = {member_id: members[member_id].tier for member_id in enrolled}
    since = add_years(now, -1)
    for event in (e for e in events if e.member_id in members):
        spend, recharge = sums.get(event.member_id, (0, 0))
        recorded_by_this_event = (event.purchase_id in recorded
                                  and first_of_purchase[event.purchase_id] is event)
        if recorded_by_this_event and since < event.occurred_at <= now:
            spend += event.total
            sums[event.member_id] = (spend, recharge)
        decision = upgrade(rules, tiers[event.member_id], Standing(max(0, spend), max(0, recharge)))
        if decision is not None:
            await apply_decision(uow, members[event.member_id], decision, rules,
                                 tiering.settings.currency, now, **event.caused())
            tiers[event.member_id] = decision.to_tier
