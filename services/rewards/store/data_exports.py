"""The rewards's part of a member's data export (docs/privacy.md, "Access and export"): the
points account and ledger, coupons, the bonus decisions about the member's recharges,
referral clawbacks, cash-back grants and experiment exposures. Each section is a keyset
scan of the member's rows (shared/db/data_export_parts.py), so a long history is read a
page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.store import experiment_tables, spend_tables, tables
from shared.db.data_export_parts import MemberSection, build_and_save
from shared.events.tiering import MemberDataExportRequested

SECTIONS = (
    MemberSection("points_account", tables.points_accounts, "member_id", ("member_id",)),
    MemberSection("points_ledger", tables.points_entries, "member_id", ("occurred_at", "entry_id")),
    MemberSection("coupons", tables.coupons, "member_id", ("coupon_id",)),
    MemberSection("bonus_decisions", tables.bonus_decisions, "member_id",
                  ("decided_at", "recharge_id")),
    MemberSection("referral_clawbacks", tables.referral_clawbacks, "member_id", ("clawback_id",)),
    MemberSection("cashback_grants", spend_tables.cashback_grants, "member_id",
                  ("granted_at", "grant_id")),
    # which experiments placed the member in which arm (the treatment they got, or none)
    MemberSection("experiment_exposures", experiment_tables.experiment_exposures, "member_id",
                  ("exposed_at", "experiment_id")),
)


async def store_part(db: AsyncConnection, request: MemberDataExportRequested, now: datetime) -> int:
    """Build and keep the part until the export expires; the number of rows in it."""
    return await build_and_save(db, request.export_id, request.member_id, SECTIONS, now,
                                request.expires_at)
