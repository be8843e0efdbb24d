"""Rewards' `RechargeCompleted`, a consumer batch at a time: exactly the decisions and events
of the per-event handler (`decisions.decide_bonus`), in a few statements per batch and one
per recharge instead of six or so per recharge.

Per batch: the members' locks (one statement, member id order), every recharge recorded in
`recharges_seen` (one statement; a recharge already recorded — by an earlier batch or
earlier in this one — is decided once only), the offers' versions, and at the end the
decisions (one statement) and their events, in event order. Per recharge: its history in
one statement, which leaves out the batch's recharges recorded ahead of it, so the fraud
screen counts what it would have counted deciding alone.

Campaign budgets are charged recharge by recharge, as before. A program with a budgeted
campaign is read afresh for each recharge (its remaining budget moves as the batch spends
it); any other program comes from the batch's offer timeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.rewards import history, program_store
from services.rewards.decisions import Decided, decide, record_and_emit_all
from services.rewards.member_lock import lock_members
from services.rewards.offers import Program
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import RechargeCompleted
from shared.structured_logging import get_logger

log = get_logger(__name__)


async def decide_bonuses(events: Sequence[RechargeCompleted], uow: UnitOfWork,
                         settings: RewardsSettings) -> None:
    db = uow.connection
    await lock_members(db, [event.member_id for event in events])
    new = await history.record_recharges(db, events)
    to_decide = [event for event in events if event.event_id in new]
    for event in events:
        if event.event_id not in new:
            log.info("bonus_already_decided", recharge_id=event.recharge_id)
    if not to_decide:
        return
    timeline = await program_store.OfferTimeline.read(db, max(e.occurred_at for e in to_decide))
    decided: list[Decided] = []
    for n, event in enumerate(to_decide):
        program = await _program(db, timeline, event)
        later = [e.recharge_id for e in to_decide[n + 1:]]
        context = await history.recharge_context(db, event, settings.fraud, later)
        quote, verdict = await decide(uow, event, program, context, settings)
        decided.append((event, quote, verdict))
    await record_and_emit_all(uow, decided)


async def _program(db, timeline: program_store.OfferTimeline, event: RechargeCompleted) -> Program:
    program = timeline.program(event.occurred_at, event.currency)
    if any(campaign.budget_remaining is not None for campaign in program.campaigns):
        return await program_store.load_program(db, event.currency, event.occurred_at)
    return program
