"""Posting a journal entry: the lines come from rules/entries.py; the database refuses at
commit an entry whose lines do not sum to zero, and any update or delete of the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.entries import LedgerLine
from services.wallet.store import tables


async def post_entry(
    db: AsyncConnection, *, member_id: str, currency: str, kind: str, source_id: object,
    reason: str, lines: Sequence[LedgerLine], now: datetime, actor: str | None = None,
) -> uuid.UUID | None:
    """One immutable journal entry; the database refuses it at commit unless it balances."""
    if not lines:
        return None
    entry_id = uuid.uuid4()
    await db.execute(insert(tables.journal_entries).values(
        entry_id=entry_id, member_id=member_id, kind=kind, source_id=str(source_id),
        reason=reason, occurred_at=now, actor=actor))
    await db.execute(insert(tables.journal_lines), [
        {"entry_id": entry_id, "line_no": n, "account": line.account, "member_id": line.member_id,
         "currency": currency, "amount": line.amount}
        for n, line in enumerate(lines, start=1)
    ])
    return entry_id
