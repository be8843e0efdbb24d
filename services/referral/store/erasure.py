"""A member's erasure in referral (`MemberErasureStarted`): the phone and device hashes
enrolment brought are deleted, and the notes on the decisions about the member's referrals
(as referrer or invitee); their codes stop referring. The referrals themselves stay under
the member ids: the points and bonuses they paid for are accounted in rewards and the
wallet. Then `ReferralMemberErased` confirms."""

from __future__ import annotations

from sqlalchemy import text

from services.referral.store.codes import lock_codes_of
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralMemberErased
from shared.events.tiering import MemberErasureStarted

ERASE_HASHES = text("UPDATE members SET phone_hash = NULL, device_hash = NULL WHERE member_id = :m")
ERASE_NOTES = text("""
    UPDATE decisions SET note = NULL WHERE note IS NOT NULL AND referral_id IN (
      SELECT referral_id FROM referrals WHERE referrer_id = :m OR invitee_id = :m)
""")
STOP_CODES = text("""
    UPDATE codes SET status = 'inactive', deactivated_at = :now
    WHERE member_id = :m AND status = 'active'
""")


async def erase_member(uow: UnitOfWork, event: MemberErasureStarted) -> None:
    db, now = uow.connection, uow.clock.now()
    await lock_codes_of(db, event.member_id)
    await db.execute(ERASE_HASHES, {"m": event.member_id})
    await db.execute(text("DELETE FROM data_export_parts WHERE member_id = :m"),
                     {"m": event.member_id})
    await db.execute(ERASE_NOTES, {"m": event.member_id})
    await db.execute(STOP_CODES, {"m": event.member_id, "now": now})
    uow.emit(ReferralMemberErased(**event.caused(), occurred_at=now, request_id=event.request_id))
