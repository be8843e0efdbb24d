"""The notifier's part of a member's data export (docs/privacy.md, "Access and export"):
contact details, consents and their changes (also the contact corrections), the messages
sent and the in-app inbox, and the activity the statements count. Each section is a keyset
scan of the member's rows (shared/db/data_export_parts.py), so a long history is read a page
at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store import tables
from shared.db.data_export_parts import MemberSection, build_and_save
from shared.events.tiering import MemberDataExportRequested

SECTIONS = (
    MemberSection("contact", tables.contacts, "member_id", ("member_id",)),
    MemberSection("consents", tables.consents, "member_id", ("channel", "category")),
    MemberSection("consent_changes", tables.consent_changes, "member_id", ("change_id",)),
    MemberSection("contact_changes", tables.contact_changes, "member_id", ("change_id",)),
    MemberSection("messages", tables.notifications, "member_id", ("created_at", "notification_id")),
    MemberSection("inbox", tables.inbox_messages, "member_id", ("created_at", "message_id")),
    MemberSection("monthly_activity", tables.monthly_activity, "member_id", ("month",)),
    MemberSection("renewals", tables.renewals, "member_id", ("renewed_at", "term_id")),
)


async def store_part(db: AsyncConnection, request: MemberDataExportRequested, now: datetime) -> int:
    """Build and keep the part until the export expires; the number of rows in it."""
    return await build_and_save(db, request.export_id, request.member_id, SECTIONS, now,
                                request.expires_at)
