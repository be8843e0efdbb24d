"""The fraud screen's manual review queue: held bonuses, and an ops decision on each
(audited in `review_actions`).

Approve turns a held decision into BonusGranted (reviewed_by = the reviewer; for a recharge
whose principal the wallet held, `principal_released`, and the wallet makes it spendable);
reject into BonusRejected and gives the campaigns back what they had reserved (a held
principal then stays unspendable until ops refund the recharge). The conditional UPDATE
on `status = 'held'` makes the first reviewer win; the second gets 409 `already_decided`.
Held payments on spend (cash-back, spend-and-save, first-N gifts) are in the same queue, as
`kind: cashback` (store/spend_reviews.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import text

from services.rewards.store import offers, spend_reviews
from services.rewards.store.bonus_decisions import count_decisions
from services.rewards.store.members import lock_member
from services.rewards.store.offers import json_value
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import AppliedRule, BonusGranted, BonusRejected, HoldReason
from shared.events.wallet import RechargeRefunded
from shared.rule_violations import Conflict, NotFound

Decision = Literal["approve", "reject"]


class DecisionNotFound(NotFound):
    def __init__(self, grant_id: UUID) -> None:
        super().__init__("decision_not_found", f"No bonus decision {grant_id}.")


class AlreadyDecided(Conflict):
    """409 `already_decided`; the problem carries `status_now`."""

    def __init__(self, status: str) -> None:
        super().__init__("already_decided", f"This bonus is already {status}.", status_now=status)


DECIDE = text("""
    UPDATE bonus_decisions SET status = :status, reviewed_by = :actor, reviewed_at = :now,
        review_note = :note, amount = CASE WHEN :status = 'rejected' THEN 0 ELSE amount END
    WHERE grant_id = :grant_id AND status = 'held'
    RETURNING recharge_id, member_id, currency, amount, rules, reasons, principal_held
""")


async def decisions_page(uow: UnitOfWork, status: str, limit: int,
                         after: tuple[datetime, str] | None) -> list[Mapping[str, Any]]:
    """Decisions in `status`, recharges' and spend's, oldest first, after the key
    (decided_at, sort_key: the recharge id, or cashback:<grant id>)."""
    params: dict[str, Any] = {"status": status, "limit": limit}
    where = "status = :status"
    if after is not None:
        where += " AND (decided_at, sort_key) > (:after_at, :after_id)"
        params |= {"after_at": after[0], "after_id": after[1]}
    rows = await uow.connection.execute(text(
        f"SELECT * FROM ({spend_reviews.QUEUE_COLUMNS}) q WHERE {where} "
        "ORDER BY decided_at, sort_key LIMIT :limit"), params)
    return [decoded(row) for row in rows.mappings().all()]


def decoded(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "rules": json_value(row["rules"]), "reasons": json_value(row["reasons"])}


async def review(uow: UnitOfWork, grant_id: UUID, decision: Decision, actor: str, note: str
                 ) -> Mapping[str, Any]:
    db, now = uow.connection, uow.clock.now()
    status = "granted" if decision == "approve" else "rejected"
    member_id = (await db.execute(text("SELECT member_id FROM bonus_decisions WHERE grant_id = :g"),
                                  {"g": grant_id})).scalar()
    if member_id is None:
        return await review_spend(uow, grant_id, status, decision, actor, note)
    await lock_member(db, member_id)
    row = (await db.execute(DECIDE, {"status": status, "actor": actor, "now": now, "note": note,
                                     "grant_id": grant_id})).mappings().first()
    row = row and decoded(row)
    if row is None:
        current = (await db.execute(text("SELECT status FROM bonus_decisions WHERE grant_id = :g"),
                                    {"g": grant_id})).scalar()
        if current is None:
            raise DecisionNotFound(grant_id)
        raise AlreadyDecided(current)
    await db.execute(text("""
        INSERT INTO review_actions (grant_id, decision, actor, note, acted_at)
        VALUES (:grant_id, :decision, :actor, :note, :now)
    """), {"grant_id": grant_id, "decision": decision, "actor": actor, "note": note, "now": now})
    # the recharge's event is the cause, so a trace follows the bonus through the review
    cause = (await db.execute(text("SELECT event_id FROM recharges_seen WHERE recharge_id = :r"),
                              {"r": row["recharge_id"]})).scalar()
    envelope = {"occurred_at": now, "member_id": row["member_id"], "grant_id": grant_id,
                "recharge_id": row["recharge_id"], "causation_id": cause, "correlation_id": cause}
    count_decisions(uow, status, "review")
    if status == "granted":
        uow.emit(BonusGranted(**envelope, amount=row["amount"], currency=row["currency"],
                              reviewed_by=actor, principal_released=row["principal_held"],
                              rules=tuple(
                                  AppliedRule(id=r["offer_id"], name=r["name"]) for r in row["rules"])))
    else:
        await release_campaign_charges(uow, row["recharge_id"])
        uow.emit(BonusRejected(**envelope, reviewed_by=actor, reasons=(
            HoldReason(rule="manual_review", detail=note),
            *(HoldReason(rule=r["rule"], detail=r["detail"]) for r in row["reasons"]))))
    return {**row, "status": status, "reviewed_by": actor, "reviewed_at": now}


async def review_spend(uow: UnitOfWork, grant_id: UUID, status: str, decision: Decision,
                       actor: str, note: str) -> Mapping[str, Any]:
    """A held payment on spend decided, audited like a bonus (`review_actions`)."""
    member_id = await spend_reviews.owner(uow, grant_id)
    if member_id is None:
        raise DecisionNotFound(grant_id)
    await lock_member(uow.connection, member_id)
    row = await spend_reviews.decide(uow, grant_id, status, actor, note)
    if row is None:
        raise AlreadyDecided(await spend_reviews.status_of(uow, grant_id) or "decided")
    now = uow.clock.now()
    await uow.connection.execute(text("""
        INSERT INTO review_actions (grant_id, decision, actor, note, acted_at)
        VALUES (:grant_id, :decision, :actor, :note, :now)
    """), {"grant_id": grant_id, "decision": decision, "actor": actor, "note": note, "now": now})
    return {**decoded(row), "reviewed_by": actor, "reviewed_at": now}


async def withdraw_held_bonus(uow: UnitOfWork, event: RechargeRefunded) -> None:
    """A recharge refunded while its bonus waits for review will never be granted: the
    decision becomes rejected (reason `recharge_refunded`) before any reviewer approves it."""
    row = (await uow.connection.execute(text("""
        UPDATE bonus_decisions SET status = 'rejected', amount = 0, reviewed_at = :now,
            review_note = :note
        WHERE recharge_id = :recharge_id AND status = 'held' RETURNING grant_id
    """), {"now": uow.clock.now(), "recharge_id": event.recharge_id,
           "note": f"recharge refunded ({event.refund_id})"})).first()
    if row is None:
        return
    await release_campaign_charges(uow, event.recharge_id)
    count_decisions(uow, "rejected", "refund")
    uow.emit(BonusRejected(**event.caused(occurred_at=uow.clock.now()), grant_id=row.grant_id,
                           recharge_id=event.recharge_id, reasons=(HoldReason(
                               rule="recharge_refunded", detail=f"refund {event.refund_id}"),)))


async def release_campaign_charges(uow: UnitOfWork, recharge_id: str) -> None:
    """Give back what a bonus that will not be paid reserved: each campaign's budget and the
    member's use of it (a campaign without a per-member limit has no use to give back)."""
    charges = (await uow.connection.execute(text("""
        DELETE FROM campaign_charges c USING bonus_decisions d
        WHERE c.recharge_id = :r AND d.recharge_id = c.recharge_id
        RETURNING c.offer_id, c.amount, d.member_id
    """), {"r": recharge_id})).all()
    for offer_id, amount, member_id in charges:
        await offers.release_budget(uow.connection, offer_id, amount)
        await offers.release_use(uow.connection, offer_id, member_id)
