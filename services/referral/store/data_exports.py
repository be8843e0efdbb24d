"""The referral's part of a member's data export (docs/privacy.md, "Access and export"): the
member's codes, the referrals they gave and the one they received, and the spend referral
counted for them. Each section is a keyset scan of the member's rows
(shared/db/data_export_parts.py), so a long history is read a page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.store import tables
from shared.db.data_export_parts import MemberSection, build_and_save
from shared.events.tiering import MemberDataExportRequested

SECTIONS = (
    MemberSection("codes", tables.codes, "member_id", ("code",)),
    MemberSection("referrals_given", tables.referrals, "referrer_id", ("registered_at", "referral_id")),
    MemberSection("referrals_received", tables.referrals, "invitee_id", ("referral_id",)),
    MemberSection("enrolment", tables.members, "member_id", ("member_id",)),
    MemberSection("spends", tables.spends, "member_id", ("at", "kind", "source_id")),
)


async def store_part(db: AsyncConnection, request: MemberDataExportRequested, now: datetime) -> int:
    """Build and keep the part until the export expires; the number of rows in it."""
    return await build_and_save(db, request.export_id, request.member_id, SECTIONS, now,
                                request.expires_at)
