"""A member's history: the statement (ledger entries, newest first, with running balances
and sources) and the recharge and purchase histories. Keyset pages behind the opaque
cursor of `shared.http.paging`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.store.recharges import recharge_view
from shared.http.paging import cursor_moment, decode_cursor, invalid_cursor, page

STATEMENT = text("""
    WITH changes AS (
      SELECT e.position, e.occurred_at, e.kind, e.source_id, e.reason,
        -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_principal'), 0) AS principal_change,
        -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_bonus'), 0) AS bonus_change
      FROM journal_entries e JOIN journal_lines l USING (entry_id)
      WHERE e.member_id = :m AND l.currency = :c
      GROUP BY e.position, e.occurred_at, e.kind, e.source_id, e.reason),
    running AS (
      SELECT *, sum(principal_change) OVER (ORDER BY position) AS principal_balance,
                sum(bonus_change) OVER (ORDER BY position) AS bonus_balance
      FROM changes)
    SELECT * FROM running WHERE position < :before ORDER BY position DESC LIMIT :limit
""")
RECHARGES = text("""
    SELECT recharge_id, member_id, amount, currency, store_id, channel, pos_reference, created_at,
      bonus_status, bonus_amount, refunded_at, principal_held, risk_reasons, released_by
    FROM recharges
    WHERE member_id = :m AND (CAST(:stores AS text[]) IS NULL OR store_id = ANY(CAST(:stores AS text[])))
      AND (created_at, recharge_id) < (:at, :id)
    ORDER BY created_at DESC, recharge_id DESC LIMIT :limit
""")
PURCHASES = text("""
    SELECT purchase_id, member_id, order_reference, currency, total, paid_principal, paid_bonus,
      paid_other, store_id, created_at, refunded_amount FROM purchases
    WHERE member_id = :m AND (CAST(:stores AS text[]) IS NULL OR store_id = ANY(CAST(:stores AS text[])))
      AND (created_at, purchase_id) < (:at, :id)
    ORDER BY created_at DESC, purchase_id DESC LIMIT :limit
""")
FAR_FUTURE = datetime(9999, 1, 1).astimezone()
MAX_UUID = uuid.UUID("ffffffff-ffff-ffff-ffff-ffffffffffff")
LAST_POSITION = 2**62


async def statement(db: AsyncConnection, member_id: str, currency: str, limit: int,
                    cursor: str | None) -> dict:
    [before] = decode_cursor(cursor, 1) or [LAST_POSITION]
    # a position the API gave out: an int within bigint (anything else would reach the driver)
    if not isinstance(before, int) or isinstance(before, bool) or not 0 <= before <= LAST_POSITION:
        raise invalid_cursor()
    rows = (await db.execute(STATEMENT, {"m": member_id, "c": currency, "before": before,
                                         "limit": limit + 1})).all()
    items = [{k: (int(v) if k.endswith(("_change", "_balance")) else v)
              for k, v in r._mapping.items()} for r in rows]
    return page(items, limit, lambda item: [item["position"]])


async def history(db: AsyncConnection, what: str, member_id: str, stores: list[str] | None,
                  limit: int, cursor: str | None) -> dict:
    """Recharges or purchases (`what`), newest first; `stores` limits them to a terminal's."""
    moment, last_id = FAR_FUTURE, MAX_UUID
    if (key := decode_cursor(cursor, 2)) is not None:
        try:
            moment, last_id = cursor_moment(key[0]), uuid.UUID(key[1])
        except (TypeError, ValueError, AttributeError) as error:
            raise invalid_cursor() from error
    query, id_column = (RECHARGES, "recharge_id") if what == "recharges" else (PURCHASES, "purchase_id")
    rows = (await db.execute(query, {"m": member_id, "stores": stores, "at": moment,
                                     "id": last_id, "limit": limit + 1})).all()
    items = [_as_view(dict(r._mapping)) for r in rows]
    return page(items, limit, lambda item: [item["created_at"].isoformat(), str(item[id_column])])


def _as_view(row: dict) -> dict:
    return recharge_view(row) if "bonus_status" in row else row
