"""Reads: balance (now or at any past moment, from the ledger), the statement with running
balances and sources, recharge and purchase history. Pages are keyset pages behind an
opaque cursor."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.http.problems import Problem

BALANCE_NOW = text("SELECT principal, bonus FROM wallets WHERE member_id = :m AND currency = :c")
BALANCE_AT = text("""
    SELECT -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_principal'), 0) AS principal,
           -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_bonus'), 0) AS bonus
    FROM journal_lines l JOIN journal_entries e USING (entry_id)
    WHERE l.member_id = :m AND l.currency = :c AND e.occurred_at <= :at
""")
EXPIRING = text("""
    SELECT remaining AS amount, expires_at FROM lots WHERE member_id = :m AND currency = :c
      AND kind = 'bonus' AND remaining > 0 AND expires_at IS NOT NULL ORDER BY expires_at LIMIT 20
""")
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
      bonus_status, bonus_amount, refunded_at FROM recharges
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
MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode()


def decode_cursor(cursor: str | None, default: list[Any]) -> list[Any]:
    if cursor is None:
        return default
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(default):
            raise ValueError(cursor)
        return values
    except (ValueError, TypeError) as error:
        raise Problem(400, "invalid_cursor", "This cursor was not issued by this API.") from error


async def balance(db: AsyncConnection, member_id: str, currency: str, at: datetime | None) -> dict:
    params = {"m": member_id, "c": currency, "at": at}
    row = (await db.execute(BALANCE_AT if at else BALANCE_NOW, params)).first()
    principal, bonus = (int(row.principal), int(row.bonus)) if row else (0, 0)
    expiring = [] if at else [dict(r._mapping) for r in await db.execute(EXPIRING, params)]
    return {"member_id": member_id, "currency": currency, "principal": principal, "bonus": bonus,
            "balance": principal + bonus, "as_of": at, "bonus_expiring": expiring}


async def statement(db: AsyncConnection, member_id: str, currency: str, limit: int,
                    cursor: str | None) -> dict:
    [before] = decode_cursor(cursor, [2**62])
    if not isinstance(before, int):
        raise Problem(400, "invalid_cursor", "This cursor was not issued by this API.")
    rows = (await db.execute(STATEMENT, {"m": member_id, "c": currency, "before": before,
                                         "limit": limit + 1})).all()
    items = [{k: (int(v) if k.endswith(("_change", "_balance")) else v)
              for k, v in r._mapping.items()} for r in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor([items[-1]["position"]]) if more else None}


async def history(db: AsyncConnection, what: str, member_id: str, stores: list[str] | None,
                  limit: int, cursor: str | None) -> dict:
    at, last_id = decode_cursor(cursor, [None, MAX_UUID])
    try:
        moment = datetime.fromisoformat(at) if at else FAR_FUTURE
        last_id = uuid.UUID(last_id)
    except (TypeError, ValueError, AttributeError) as error:
        raise Problem(400, "invalid_cursor", "This cursor was not issued by this API.") from error
    query, key = (RECHARGES, "recharge_id") if what == "recharges" else (PURCHASES, "purchase_id")
    rows = (await db.execute(query, {"m": member_id, "stores": stores, "at": moment,
                                     "id": last_id, "limit": limit + 1})).all()
    items = [_as_view(dict(r._mapping)) for r in rows[:limit]]
    more = len(rows) > limit
    next_cursor = encode_cursor([items[-1]["created_at"].isoformat(), str(items[-1][key])]) if more else None
    return {"items": items, "next_cursor": next_cursor}


def _as_view(row: dict) -> dict:
    if "bonus_status" in row:
        row["bonus"] = {"status": row.pop("bonus_status"), "amount": row.pop("bonus_amount")}
    return row
