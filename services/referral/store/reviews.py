"""The referral review queue: qualified referrals held for abuse reasons wait here until
an operator approves (ReferralQualified, with who approved) or rejects them
(ReferralClosed, outcome `rejected`); either way
the decision, the operator and their note join the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.referral.rules.programs import Program
from services.referral.store import programs, referrals
from shared.db.unit_of_work import UnitOfWork
from shared.rule_violations import Conflict, NotFound


async def held(uow: UnitOfWork, after: tuple[datetime, str] | None, limit: int) -> list[Mapping[str, Any]]:
    """Oldest held first; `after` is the (decided_at, referral_id) of the last one seen."""
    if after is None:
        rows = await uow.connection.execute(text("""
            SELECT * FROM referrals WHERE status = 'held'
            ORDER BY decided_at, referral_id LIMIT :limit
        """), {"limit": limit + 1})
    else:
        rows = await uow.connection.execute(text("""
            SELECT * FROM referrals WHERE status = 'held'
              AND (decided_at, referral_id) > (CAST(:at AS timestamptz), :id)
            ORDER BY decided_at, referral_id LIMIT :limit
        """), {"at": after[0], "id": after[1], "limit": limit + 1})
    return list(rows.mappings().all())


async def decide(uow: UnitOfWork, referral_id: str, approve: bool, actor: str, note: str,
                 default: Program) -> Mapping[str, Any]:
    db = uow.connection
    found = await referrals.by_id(db, referral_id)
    if found is None:
        raise NotFound("referral_not_found", f"No referral {referral_id}.")
    await referrals.lock_referrer(db, found["referrer_id"])
    now = uow.clock.now()
    status = "qualified" if approve else "rejected"
    row = (await db.execute(text("""
        UPDATE referrals SET status = :status, decided_at = :now
        WHERE referral_id = :id AND status = 'held' RETURNING *
    """), {"status": status, "now": now, "id": referral_id})).mappings().first()
    if row is None:
        raise Conflict("referral_not_held", f"Referral {referral_id} is {found['status']}, "
                       "not held for review.")
    await referrals.record_decision(db, referral_id, "approved" if approve else "rejected",
                                    list(row["flags"]), actor, now, note)
    if approve:
        program = await programs.version(db, row["program_version"], default)
        referrals.emit_qualified(uow, row, program, {"member_id": row["referrer_id"]},
                                 approved_by=actor)
    else:
        referrals.emit_closed(uow, row, "rejected", list(row["flags"]), actor)
    return row
