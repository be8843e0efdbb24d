"""What referral remembers of members and their money: each enrolment's phone and device
hashes, and each purchase and recharge with its payment reference and what was refunded,
so that qualification, late attribution and the abuse rules can look back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.qualification import Spend


async def record_enrolment(db: AsyncConnection, member_id: str, enrolled_at: datetime,
                           phone_hash: str | None, device_hash: str | None) -> None:
    await db.execute(text("""
        INSERT INTO members (member_id, phone_hash, device_hash, enrolled_at)
        VALUES (:m, :phone, :device, :at) ON CONFLICT (member_id) DO NOTHING
    """), {"m": member_id, "phone": phone_hash, "device": device_hash, "at": enrolled_at})


async def member(db: AsyncConnection, member_id: str) -> Mapping[str, Any] | None:
    return (await db.execute(text("SELECT * FROM members WHERE member_id = :m"),
                             {"m": member_id})).mappings().first()


async def record_spend(db: AsyncConnection, spend: Spend) -> bool:
    """False when this purchase or recharge was already recorded."""
    return (await db.execute(text("""
        INSERT INTO spends (kind, source_id, member_id, event_id, amount, currency,
                            payment_reference, at)
        VALUES (:kind, :source, :m, :event, :amount, :currency, :ref, :at)
        ON CONFLICT (kind, source_id) DO NOTHING RETURNING 1
    """), {"kind": spend.kind, "source": spend.source_id, "m": spend.member_id,
           "event": spend.event_id, "amount": spend.amount, "currency": spend.currency,
           "ref": spend.payment_reference, "at": spend.at})).first() is not None


async def spends_of(db: AsyncConnection, member_id: str) -> list[Spend]:
    rows = (await db.execute(text("""
        SELECT * FROM spends WHERE member_id = :m ORDER BY at, source_id
    """), {"m": member_id})).mappings().all()
    return [Spend(r["kind"], r["source_id"], r["member_id"], r["amount"], r["currency"],
                  r["at"], r["event_id"], r["payment_reference"]) for r in rows]


async def record_refund(db: AsyncConnection, kind: str, source_id: str, amount: int) -> int | None:
    """What has been refunded of the purchase or recharge so far, this refund included;
    None when referral never saw it."""
    return (await db.execute(text("""
        UPDATE spends SET refunded = refunded + :amount
        WHERE kind = :kind AND source_id = :source RETURNING refunded
    """), {"kind": kind, "source": source_id, "amount": amount})).scalar()


async def shares_payment_reference(db: AsyncConnection, member_id: str, reference: str | None
                                   ) -> bool:
    if reference is None:
        return False
    return (await db.execute(text("""
        SELECT 1 FROM spends WHERE member_id = :m AND payment_reference = :ref LIMIT 1
    """), {"m": member_id, "ref": reference})).first() is not None
