"""Opening balances: what members held in the merchant's previous system, brought over by
`patronage import balances` (patronage/importing/).

Each imported row becomes, in one transaction per batch: its `opening_balances` row (the
external id is the key, so a row is imported once however often the file is run), a
principal lot and a bonus lot (the bonus keeps its expiry, if it had one), the wallet's
cached balances, and one journal entry against the `opening_balances` account
(rules/entries.py), so `patronage wallet verify` holds. No event: an opening balance is
neither a recharge (no bonus, no tier credit, no fraud history) nor an operator's
adjustment; the member's tier and history come from their own imports.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, text

from services.wallet.rules.entries import opening_balance_lines
from services.wallet.rules.lots import BONUS, PRINCIPAL
from services.wallet.store import tables
from services.wallet.store.wallets import lock_wallets
from shared.db.unit_of_work import UnitOfWork

RECORD = text("""
    INSERT INTO opening_balances (import_id, member_id, currency, principal, bonus,
                                  bonus_expires_at, imported_at)
    SELECT b.*, :now FROM unnest(CAST(:ids AS text[]), CAST(:members AS text[]),
        CAST(:currencies AS text[]), CAST(:principals AS bigint[]), CAST(:bonuses AS bigint[]),
        CAST(:expiries AS timestamptz[])) AS b
    ON CONFLICT (import_id) DO NOTHING
    RETURNING import_id
""")
# An opening principal is money the member paid in before: their next recharge here is not
# their first (no first-recharge bonus for someone who recharged in the previous system).
ADD_TO_WALLETS = text("""
    UPDATE wallets SET principal = wallets.principal + d.principal,
        bonus = wallets.bonus + d.bonus, updated_at = :now,
        recharge_count = CASE WHEN d.principal > 0 THEN GREATEST(wallets.recharge_count, 1)
                              ELSE wallets.recharge_count END
    FROM unnest(CAST(:members AS text[]), CAST(:currencies AS text[]),
                CAST(:principals AS bigint[]), CAST(:bonuses AS bigint[]))
         AS d(member_id, currency, principal, bonus)
    WHERE wallets.member_id = d.member_id AND wallets.currency = d.currency
""")


@dataclass(frozen=True)
class OpeningBalance:
    import_id: str
    member_id: str
    currency: str
    principal: int
    bonus: int
    bonus_expires_at: datetime | None = None


async def open_balances(uow: UnitOfWork, balances: Sequence[OpeningBalance]) -> dict[str, str]:
    """Import the balances not imported before; each one's outcome by import id
    (`imported` now or `already_imported`)."""
    if not balances:
        return {}
    db, now = uow.connection, uow.clock.now()
    await lock_wallets(db, [(b.member_id, b.currency) for b in balances])
    imported = set((await db.execute(RECORD, {
        "ids": [b.import_id for b in balances], "members": [b.member_id for b in balances],
        "currencies": [b.currency for b in balances],
        "principals": [b.principal for b in balances], "bonuses": [b.bonus for b in balances],
        "expiries": [b.bonus_expires_at for b in balances], "now": now})).scalars())
    outcomes = {b.import_id: "imported" if b.import_id in imported else "already_imported"
                for b in balances}
    new = [b for b in balances if b.import_id in imported]
    if not new:
        return outcomes
    lots = [dict(lot_id=uuid.uuid4(), member_id=b.member_id, currency=b.currency, kind=kind,
                 amount=amount, remaining=amount, source_kind="opening_balance",
                 source_id=b.import_id, expires_at=b.bonus_expires_at if kind == BONUS else None,
                 created_at=now)
            for b in new for kind, amount in ((PRINCIPAL, b.principal), (BONUS, b.bonus)) if amount]
    await db.execute(insert(tables.lots), lots)
    per_wallet: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for b in new:
        per_wallet[b.member_id, b.currency][0] += b.principal
        per_wallet[b.member_id, b.currency][1] += b.bonus
    keys = sorted(per_wallet)
    await db.execute(ADD_TO_WALLETS, {
        "members": [m for m, _ in keys], "currencies": [c for _, c in keys],
        "principals": [per_wallet[k][0] for k in keys],
        "bonuses": [per_wallet[k][1] for k in keys], "now": now})
    entries = [dict(entry_id=uuid.uuid4(), member_id=b.member_id, kind="opening_balance",
                    source_id=b.import_id, reason="opening balance imported",
                    occurred_at=now, actor="import") for b in new]
    await db.execute(insert(tables.journal_entries), entries)
    await db.execute(insert(tables.journal_lines), [
        {"entry_id": entry["entry_id"], "line_no": n, "account": line.account,
         "member_id": line.member_id, "currency": b.currency, "amount": line.amount}
        for entry, b in zip(entries, new, strict=True)
        for n, line in enumerate(opening_balance_lines(b.member_id, b.principal, b.bonus), start=1)])
    return outcomes
