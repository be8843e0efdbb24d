"""Data exports in tiering, the coordinator: the request (its row, tiering's own part,
MemberDataExportRequested in one transaction), the progress as the other services announce
their parts, and the downloads' audit (docs/privacy.md, "Access and export")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.data_exports import expiry
from services.tiering.store import tables
from services.tiering.store.members import MemberNotFound, lock_member
from shared.db.data_export_parts import MemberSection, build_part, save_part
from shared.db.unit_of_work import UnitOfWork
from shared.events.data_exports import DataExportPartReady
from shared.events.tiering import MemberDataExportRequested
from shared.rule_violations import NotFound

# tiering's part: each section a keyset scan along an index that leads with the member
SECTIONS = (
    MemberSection("profile", tables.members, "member_id", ("member_id",)),
    MemberSection("tier_changes", tables.tier_changes, "member_id", ("change_id",)),
    MemberSection("membership_terms", tables.membership_terms, "member_id", ("term_end", "term_id")),
    MemberSection("qualifying_spend", tables.spend_entries, "member_id",
                  ("measure", "counted_at", "entry_id")),
    MemberSection("tier_reviews", tables.tier_reviews, "member_id", ("review_at",)),
    MemberSection("profile_corrections", tables.member_corrections, "member_id", ("correction_id",)),
    MemberSection("tier_grants", tables.tier_grants, "member_id", ("granted_at", "grant_id")),
    MemberSection("entitlements", tables.entitlements, "member_id", ("code", "period_start")),
    MemberSection("entitlement_redemptions", tables.entitlement_redemptions, "member_id",
                  ("redeemed_at", "redemption_id")),
)


class DataExportNotFound(NotFound):
    def __init__(self, export_id: UUID) -> None:
        super().__init__("data_export_not_found", f"No data export {export_id} for this member.")


async def request_export(uow: UnitOfWork, member_id: str, actor: str, days: int) -> dict[str, Any]:
    db, now = uow.connection, uow.clock.now()
    if await lock_member(db, member_id) is None:
        raise MemberNotFound(f"No member {member_id}.")
    export = {"export_id": uuid4(), "member_id": member_id, "requested_by": actor,
              "requested_at": now, "expires_at": expiry(now, days)}
    await db.execute(insert(tables.data_exports).values(**export))
    content = await build_part(db, member_id, SECTIONS)
    records = await save_part(db, export["export_id"], member_id, content, now, export["expires_at"])
    await mark_part_ready(db, export["export_id"], "tiering", records, now)
    uow.emit(MemberDataExportRequested(member_id=member_id, occurred_at=now,
                                       export_id=export["export_id"],
                                       expires_at=export["expires_at"]))
    return export


async def mark_part_ready(db: AsyncConnection, export_id: UUID, service: str, records: int,
                          now: datetime) -> None:
    await db.execute(upsert(tables.data_export_progress).values(
        export_id=export_id, service=service, records=records, ready_at=now,
    ).on_conflict_do_nothing())


async def record_part_ready(db: AsyncConnection, event: DataExportPartReady, now: datetime) -> None:
    await mark_part_ready(db, event.export_id, event.producer_name, event.records, now)


async def export_of(db: AsyncConnection, member_id: str, export_id: UUID) -> tuple[dict, set[str]]:
    """The export and the services whose parts are stored; `DataExportNotFound` when there
    is none for this member (another member's export is hidden the same way)."""
    row = (await db.execute(select(tables.data_exports).where(
        tables.data_exports.c.export_id == export_id,
        tables.data_exports.c.member_id == member_id))).mappings().first()
    if row is None:
        raise DataExportNotFound(export_id)
    ready = await db.execute(select(tables.data_export_progress.c.service).where(
        tables.data_export_progress.c.export_id == export_id))
    return dict(row), {service for (service,) in ready}


async def record_download(db: AsyncConnection, export_id: UUID, actor: str, now: datetime) -> None:
    await db.execute(insert(tables.data_export_downloads).values(
        export_id=export_id, actor=actor, downloaded_at=now))


async def downloads_of(db: AsyncConnection, export_id: UUID) -> list[dict[str, Any]]:
    rows = await db.execute(select(tables.data_export_downloads.c.actor,
                                   tables.data_export_downloads.c.downloaded_at)
                            .where(tables.data_export_downloads.c.export_id == export_id)
                            .order_by(tables.data_export_downloads.c.download_id))
    return [dict(row) for row in rows.mappings()]
