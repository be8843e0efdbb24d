"""Payments on spend in the manual review queue (store/review_queue.py lists and decides
them with the recharge bonuses): `held_page` reads them in the queue's shape, `decide`
turns a held one into a granted one (CashbackGranted, reviewed_by in the row) or a rejected
one (its budget reservation given back). The conditional UPDATE on `status = 'held'` makes
the first reviewer win. The caller holds the member's lock and writes the audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import text

from services.rewards.store import offers
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackGranted

# The queue's columns; `sort_key` orders rows of one moment (recharge id, or cashback:<grant>)
QUEUE_COLUMNS = """
    SELECT grant_id, recharge_id, member_id, currency, recharge_amount, amount, status, rules,
           reasons, risk_score, decided_at, reviewed_by, reviewed_at, review_note,
           principal_held, 'recharge' AS kind, NULL AS purchase_id, NULL AS offer_id,
           recharge_id AS sort_key
    FROM bonus_decisions
    UNION ALL
    SELECT grant_id, NULL, member_id, currency, NULL, amount, status, '[]'::jsonb, reasons,
           risk_score, granted_at, reviewed_by, reviewed_at, review_note, false, 'cashback',
           purchase_id, offer_id, 'cashback:' || grant_id
    FROM cashback_grants
"""
OWNER = text("SELECT member_id, status FROM cashback_grants WHERE grant_id = :g")
DECIDE = text("""
    UPDATE cashback_grants SET status = :status, reviewed_by = :actor, reviewed_at = :now,
        review_note = :note
    WHERE grant_id = :grant_id AND status = 'held'
    RETURNING grant_id, member_id, currency, amount, status, reasons, risk_score, purchase_id,
        offer_id, kind, granted_at AS decided_at
""")


async def owner(uow: UnitOfWork, grant_id: UUID) -> str | None:
    row = (await uow.connection.execute(OWNER, {"g": grant_id})).first()
    return None if row is None else row.member_id


async def status_of(uow: UnitOfWork, grant_id: UUID) -> str | None:
    row = (await uow.connection.execute(OWNER, {"g": grant_id})).first()
    return None if row is None else row.status


async def decide(uow: UnitOfWork, grant_id: UUID, status: str, actor: str,
                 note: str) -> Mapping[str, Any] | None:
    """The decided row, or None if it is not held (any more)."""
    now = uow.clock.now()
    row = (await uow.connection.execute(DECIDE, {
        "status": status, "actor": actor, "now": now, "note": note, "grant_id": grant_id,
    })).mappings().first()
    if row is None:
        return None
    if status == "granted":
        uow.emit(CashbackGranted(
            occurred_at=now, member_id=row["member_id"], grant_id=grant_id,
            purchase_id=row["purchase_id"], offer_id=row["offer_id"], kind=row["kind"],
            amount=row["amount"], currency=row["currency"]))
    else:
        await offers.release_budget(uow.connection, row["offer_id"], row["amount"])
    return {**row, "kind": "cashback", "rules": [], "principal_held": False}
