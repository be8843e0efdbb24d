"""A member's erasure in rewards (`MemberErasureStarted`): rewards holds no contact details;
what a reviewer wrote about the member goes, and so do the member's rows of the KPI
projection (store/kpi_tables.py; the stored scheduled reports, which name no member, stay).
Points, coupons and bonus decisions stay under the member id: they are the account's
history, and bonus decisions back the wallet's money. Then `RewardsMemberErased` confirms."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.store.members import lock_member
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import RewardsMemberErased
from shared.events.tiering import MemberErasureStarted

ERASE_EXPORT_PARTS = text("DELETE FROM data_export_parts WHERE member_id = :m")
ERASE_BIRTH_MONTH = text(
    "UPDATE member_facts SET birthday_celebrated_month = NULL WHERE member_id = :m")
ERASE_DECISION_NOTES = text("UPDATE bonus_decisions SET review_note = NULL WHERE member_id = :m")
ERASE_CASHBACK_NOTES = text("UPDATE cashback_grants SET review_note = NULL WHERE member_id = :m")
ERASE_KPI_ROWS = tuple(text(f"DELETE FROM {table} WHERE member_id = :m")
                       for table in ("kpi_member_days", "kpi_members", "kpi_terms"))
# review_actions.note is required: replaced, not emptied; decision and actor stay (audit)
ERASE_REVIEW_NOTES = text("""
    UPDATE review_actions SET note = '[erased]'
    WHERE grant_id IN (SELECT grant_id FROM bonus_decisions WHERE member_id = :m)
""")


async def erase_member(uow: UnitOfWork, event: MemberErasureStarted) -> None:
    db = uow.connection
    await lock_member(db, event.member_id)
    for statement in (ERASE_EXPORT_PARTS, ERASE_BIRTH_MONTH, ERASE_DECISION_NOTES,
                      ERASE_CASHBACK_NOTES, *ERASE_KPI_ROWS):
        await db.execute(statement, {"m": event.member_id})
    await db.execute(ERASE_REVIEW_NOTES, {"m": event.member_id})
    uow.emit(RewardsMemberErased(**event.caused(), occurred_at=uow.clock.now(),
                                 request_id=event.request_id))
