"""The wallet's part of a member's data export (docs/privacy.md, "Access and export"):
balances, the statement (journal entries and lines), recharges, purchases, refunds,
adjustments, payment intents, opening balances, freezes and cash-back credits. Each section
is a keyset scan of the member's rows (shared/db/data_export_parts.py), so a long history is
read a page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.store import tables
from shared.db.data_export_parts import MemberSection, build_and_save
from shared.events.tiering import MemberDataExportRequested

SECTIONS = (
    MemberSection("balances", tables.wallets, "member_id", ("currency",)),
    MemberSection("recharges", tables.recharges, "member_id", ("created_at", "recharge_id")),
    MemberSection("purchases", tables.purchases, "member_id", ("created_at", "purchase_id")),
    MemberSection("refunds", tables.refunds, "member_id", ("created_at", "refund_id")),
    # the journal's member index is on member_id alone (the recharge hot path writes it: no
    # second index there); each page is that index's rows of the member, sorted, then cut
    MemberSection("statement_entries", tables.journal_entries, "member_id", ("position",)),
    MemberSection("statement_lines", tables.journal_lines, "member_id",
                  ("currency", "account", "entry_id", "line_no")),
    MemberSection("adjustments", tables.adjustments, "member_id", ("created_at", "adjustment_id")),
    MemberSection("payment_intents", tables.payment_intents, "member_id", ("created_at", "intent_id")),
    MemberSection("opening_balances", tables.opening_balances, "member_id", ("import_id",)),
    MemberSection("freezes", tables.wallet_freezes, "member_id", ("at", "freeze_id")),
    MemberSection("cashback_credits", tables.cashback_credits, "member_id",
                  ("created_at", "grant_id")),
)


async def store_part(db: AsyncConnection, request: MemberDataExportRequested, now: datetime) -> int:
    """Build and keep the part until the export expires; the number of rows in it."""
    return await build_and_save(db, request.export_id, request.member_id, SECTIONS, now,
                                request.expires_at)
