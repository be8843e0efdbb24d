"""The bonus decision for one recharge: quote the offers, screen, record exactly one
decision and emit exactly one of BonusGranted / BonusHeld / BonusRejected.

A recharge no offer rewards still gets a decision: BonusRejected with the reason
`no_offer_applies`, so the wallet's bonus status leaves `pending` for every recharge.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import text

from services.rewards import history, program_store
from services.rewards.fraud import Reason, Verdict, screen
from services.rewards.offers import BonusQuote, Program, RechargeFacts, member_segments, quote_bonus
from services.rewards.settings import RewardsSettings
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
NO_OFFER = Reason("no_offer_applies", "No live offer gives this recharge a bonus.")
STATUS = {"approve": "granted", "hold": "held", "reject": "rejected"}


async def decide_bonus(event: RechargeCompleted, uow: UnitOfWork, settings: RewardsSettings) -> None:
    """One recharge decided alone (the member locked by the caller): the rule in its plainest
    form, and what `recharge_batches.decide_bonuses` is tested against."""
    db = uow.connection
    if not await history.record_recharge(db, event):
        log.info("bonus_already_decided", recharge_id=event.recharge_id)
        return
    program = await program_store.load_program(db, event.currency, event.occurred_at)
    context = await history.recharge_context(db, event, settings.fraud)
    quote, verdict = await decide(uow, event, program, context, settings)
    await record_and_emit(uow, event, quote, verdict)


async def decide(uow: UnitOfWork, event: RechargeCompleted, program: Program,
                 context: history.RechargeContext, settings: RewardsSettings
                 ) -> tuple[BonusQuote, Verdict]:
    """Quote the offers for the recharge, screen it, and charge the campaigns' budgets of a
    bonus that is not rejected: the bonus and the verdict to record."""
    past = context.past
    facts = RechargeFacts(
        amount=event.amount, is_first_recharge=event.is_first_recharge,
        lifetime_recharged=event.lifetime_recharged, at=event.occurred_at,
        local_weekday=event.occurred_at.astimezone(settings.zone()).weekday(),
        tier=context.tier,
        segments=member_segments(
            prior_recharges=past.prior_count, last_recharge_at=past.last_recharge_at,
            prior_lifetime=event.lifetime_recharged - event.amount, at=event.occurred_at,
            dormant_after_days=settings.dormant_after_days, high_value_from=settings.high_value_from),
    )
    quote = quote_bonus(facts, program)
    if quote.amount == 0:
        return quote, Verdict("reject", (NO_OFFER,), 0)
    rungs = tuple(r.threshold for r in program.ladder.rungs) if program.ladder else ()
    verdict = screen(context.screening(event, rungs), settings.fraud)
    if verdict.outcome != "reject":
        quote = await charge_campaigns(uow, facts, program, quote)
    return quote, verdict


async def charge_campaigns(uow: UnitOfWork, facts: RechargeFacts, program: Program,
                           quote: BonusQuote) -> BonusQuote:
    """Spend each campaign's share of its budget; a campaign that lost the race for its last
    budget drops out and the bonus is quoted again without it."""
    charged: list[str] = []
    while True:
        short = None
        for cost in quote.campaign_costs:
            if cost.offer_id in charged:
                continue
            if not await program_store.charge_budget(uow.connection, cost.offer_id, cost.amount):
                short = cost.offer_id
                break
            charged.append(cost.offer_id)
        if short is None:
            return quote
        for offer_id in charged:
            spent = next(c.amount for c in quote.campaign_costs if c.offer_id == offer_id)
            await program_store.release_budget(uow.connection, offer_id, spent)
        charged.clear()
        program = program.without_budget(short)
        quote = quote_bonus(facts, program)


INSERT_DECISION = text("""
    INSERT INTO bonus_decisions (recharge_id, grant_id, member_id, currency, recharge_amount,
        amount, status, rules, reasons, risk_score, decided_at)
    VALUES (:recharge_id, :grant_id, :member_id, :currency, :recharge_amount, :amount,
        :status, CAST(:rules AS jsonb), CAST(:reasons AS jsonb), :risk_score, :now)
""")
INSERT_CAMPAIGN_CHARGE = text("""
    INSERT INTO campaign_charges (recharge_id, offer_id, amount, recharge_amount, charged_at)
    VALUES (:recharge_id, :offer_id, :amount, :recharge_amount, :now)
""")
Decided = tuple[RechargeCompleted, BonusQuote, Verdict]


async def record_and_emit(uow: UnitOfWork, event: RechargeCompleted, quote: BonusQuote,
                          verdict: Verdict) -> None:
    await record_and_emit_all(uow, [(event, quote, verdict)])


async def record_and_emit_all(uow: UnitOfWork, decided: Sequence[Decided]) -> None:
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
            "risk_score": verdict.risk_score, "now": now})
        if status != "rejected":
            charges += [{"recharge_id": event.recharge_id, "offer_id": c.offer_id,
                         "amount": c.amount, "recharge_amount": event.amount, "now": now}
                        for c in quote.campaign_costs]
    if decisions:
        await uow.connection.execute(INSERT_DECISION, decisions)
    if charges:
        await uow.connection.execute(INSERT_CAMPAIGN_CHARGE, charges)
    for (event, quote, verdict), row in zip(decided, decisions, strict=True):
        uow.emit(decision_event(event, quote, verdict, row["status"], now))
        log.info(f"bonus_{row['status']}", recharge_id=event.recharge_id, amount=row["amount"],
                 risk_score=verdict.risk_score, reasons=[r.rule for r in verdict.reasons])


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
