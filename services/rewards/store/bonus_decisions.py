"""Rewards' `RechargeCompleted`: exactly one bonus decision per recharge, recorded with
exactly one of BonusGranted / BonusHeld / BonusRejected. Written once, for a consumer batch;
one recharge is a batch of one.

Per batch: the members' locks (one statement, member id order), every recharge recorded in
`recharges_seen` (one statement; a recharge already recorded — by an earlier batch or
earlier in this one — is decided once only), the offers' versions, and at the end the
decisions (one statement) and their events, in event order. Per recharge: its history in
one statement, which leaves out the batch's recharges recorded after it, so the fraud
screen counts what it would have counted deciding that recharge alone
(tests/integration/rewards/test_recharge_batches.py compares the two).

Experiments running in the batch's span are read once; each recharge's program is shaped by
the member's arms (rules/experiments.py) before the quote, and after the decisions the
batch's exposures and what their campaigns cost are recorded (store/experiment_exposures.py).

Campaign budgets are charged recharge by recharge. A program with a budgeted campaign is
read afresh for each recharge (its remaining budget moves as the batch spends it); any
other program comes from the batch's offer timeline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.bonus_decisions import STATUS, quote_and_screen, recharge_facts
from services.rewards.rules.experiments import apply_experiments
from services.rewards.rules.fraud import Verdict
from services.rewards.rules.offers import BonusQuote, Program, RechargeFacts, quote_bonus
from services.rewards.settings import RewardsSettings
from services.rewards.store import experiment_exposures, experiments, fraud_history, offers
from services.rewards.store.experiment_exposures import CampaignCost, Exposed
from services.rewards.store.members import lock_members
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import (
    AppliedRule,
    BonusGranted,
    BonusHeld,
    BonusRejected,
    HoldReason,
    grant_id_for,
)
from shared.events.wallet import RechargeCompleted
from shared.structured_logging import get_logger

log = get_logger(__name__)
# Counted once the decision has committed (a batch redone event by event counts once).
BONUS_DECISIONS = Counter(
    "patronage_bonus_decisions_total", "Bonus decisions, by outcome and by who decided",
    ["outcome", "decided_by"],  # granted|held|rejected; screening|review|refund
)
Decided = tuple[RechargeCompleted, BonusQuote, Verdict]


async def decide_bonuses(events: Sequence[RechargeCompleted], uow: UnitOfWork,
                         settings: RewardsSettings) -> None:
    db = uow.connection
    await lock_members(db, [event.member_id for event in events])
    new = await fraud_history.record_recharges(db, events)
    to_decide = [event for event in events if event.event_id in new]
    for event in events:
        if event.event_id not in new:
            log.info("bonus_already_decided", recharge_id=event.recharge_id)
    if not to_decide:
        return
    timeline = await offers.OfferTimeline.read(db, max(e.occurred_at for e in to_decide))
    running = await experiments.running(db, min(e.occurred_at for e in to_decide),
                                        max(e.occurred_at for e in to_decide))
    decided: list[Decided] = []
    exposed: list[Exposed] = []
    for n, event in enumerate(to_decide):
        program = await _program(db, timeline, event)
        later = [e.recharge_id for e in to_decide[n + 1:]]
        context = await fraud_history.recharge_context(db, event, settings.fraud, later)
        facts = recharge_facts(event, context, zone=settings.zone(),
                               dormant_after_days=settings.dormant_after_days,
                               high_value_from=settings.high_value_from)
        # the member's arms shape the program; eligibility exposes them, holdout included
        program, exposures = apply_experiments(event.member_id, facts, program, running)
        exposed += [Exposed(event.member_id, event.recharge_id, event.occurred_at, exposure)
                    for exposure in exposures]
        quote, verdict = quote_and_screen(event, facts, program, context, settings.fraud,
                                          no_bonus_on_cards=settings.no_bonus_on_cards)
        if verdict.outcome != "reject":
            quote = await charge_campaigns(uow, event.member_id, facts, program, quote)
        decided.append((event, quote, verdict))
    await record_and_emit(uow, decided)
    if running:
        await experiment_exposures.record_exposures(uow, exposed)
        await experiment_exposures.record_costs(uow, [
            CampaignCost(event.member_id, event.recharge_id, cost.offer_id, cost.amount,
                         event.occurred_at)
            for event, quote, verdict in decided if verdict.outcome != "reject"
            for cost in quote.campaign_costs])


async def _program(db: AsyncConnection, timeline: offers.OfferTimeline,
                   event: RechargeCompleted) -> Program:
    program = timeline.program(event.occurred_at, event.currency)
    if any(campaign.budget_remaining is not None for campaign in program.campaigns):
        return await offers.load_program(db, event.currency, event.occurred_at)
    return program


async def charge_campaigns(uow: UnitOfWork, member_id: str, facts: RechargeFacts,
                           program: Program, quote: BonusQuote) -> BonusQuote:
    """Spend each campaign's share of its budget and one of the member's uses of it (if it
    limits them); a campaign that lost the race for its last budget, or that the member
    has used up, drops out and the bonus is quoted again without it."""
    db = uow.connection
    limits = {c.offer_id: c.max_per_member for c in program.campaigns}
    charged: list[str] = []
    while True:
        short = None
        for cost in quote.campaign_costs:
            if cost.offer_id in charged:
                continue
            limit = limits.get(cost.offer_id)
            if limit is not None and not await offers.use_for_member(
                    db, cost.offer_id, member_id, limit):
                short = cost.offer_id
                break
            if not await offers.charge_budget(db, cost.offer_id, cost.amount):
                if limit is not None:
                    await offers.release_use(db, cost.offer_id, member_id)
                short = cost.offer_id
                break
            charged.append(cost.offer_id)
        if short is None:
            return quote
        for offer_id in charged:
            spent = next(c.amount for c in quote.campaign_costs if c.offer_id == offer_id)
            await offers.release_budget(db, offer_id, spent)
            if limits.get(offer_id) is not None:
                await offers.release_use(db, offer_id, member_id)
        charged.clear()
        program = program.without_campaign(short)
        quote = quote_bonus(facts, program)


INSERT_DECISION = text("""
    INSERT INTO bonus_decisions (recharge_id, grant_id, member_id, currency, recharge_amount,
        amount, status, rules, reasons, risk_score, decided_at, principal_held)
    VALUES (:recharge_id, :grant_id, :member_id, :currency, :recharge_amount, :amount,
        :status, CAST(:rules AS jsonb), CAST(:reasons AS jsonb), :risk_score, :now,
        :principal_held)
""")
INSERT_CAMPAIGN_CHARGE = text("""
    INSERT INTO campaign_charges (recharge_id, offer_id, amount, recharge_amount, charged_at)
    VALUES (:recharge_id, :offer_id, :amount, :recharge_amount, :now)
""")


async def record_and_emit(uow: UnitOfWork, decided: Sequence[Decided]) -> None:
    """Record the decisions (one statement for all, one more for campaign charges) and emit
    their events in the order given."""
    now = uow.clock.now()
    decisions, charges = [], []
    for event, quote, verdict in decided:
        status = STATUS[verdict.outcome]
        decisions.append({
            "recharge_id": event.recharge_id, "grant_id": grant_id_for(event.recharge_id),
            "member_id": event.member_id, "currency": event.currency,
            "recharge_amount": event.amount, "amount": 0 if status == "rejected" else quote.amount,
            "status": status, "rules": json.dumps([asdict(rule) for rule in quote.rules]),
            "reasons": json.dumps([asdict(r) for r in verdict.reasons]),
            "risk_score": verdict.risk_score, "now": now,
            "principal_held": event.principal_held})
        if status != "rejected":
            charges += [{"recharge_id": event.recharge_id, "offer_id": c.offer_id,
                         "amount": c.amount, "recharge_amount": event.amount, "now": now}
                        for c in quote.campaign_costs]
    if decisions:
        await uow.connection.execute(INSERT_DECISION, decisions)
    if charges:
        await uow.connection.execute(INSERT_CAMPAIGN_CHARGE, charges)
    for status in ("granted", "held", "rejected"):
        if count := sum(1 for row in decisions if row["status"] == status):
            count_decisions(uow, status, "screening", count)
    for (event, quote, verdict), row in zip(decided, decisions, strict=True):
        uow.emit(decision_event(event, quote, verdict, row["status"], now))
        log.info(f"bonus_{row['status']}", recharge_id=event.recharge_id, amount=row["amount"],
                 risk_score=verdict.risk_score, reasons=[r.rule for r in verdict.reasons])


def count_decisions(uow: UnitOfWork, outcome: str, decided_by: str, count: int = 1) -> None:
    uow.after_commit(lambda: BONUS_DECISIONS.labels(outcome, decided_by).inc(count))


def decision_event(event: RechargeCompleted, quote: BonusQuote, verdict: Verdict, status: str,
                   now: datetime) -> BonusGranted | BonusHeld | BonusRejected:
    common = {**event.caused(occurred_at=now), "grant_id": grant_id_for(event.recharge_id),
              "recharge_id": event.recharge_id}
    reasons = tuple(HoldReason(rule=r.rule, detail=r.detail) for r in verdict.reasons)
    if status == "granted":
        return BonusGranted(**common, amount=quote.amount, currency=event.currency,
                            rules=tuple(AppliedRule(id=r.offer_id, name=r.name) for r in quote.rules))
    if status == "held":
        return BonusHeld(**common, amount=quote.amount, currency=event.currency, reasons=reasons,
                         risk_score=verdict.risk_score)
    return BonusRejected(**common, reasons=reasons)
