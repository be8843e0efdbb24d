"""A member's referral page for the app: their code and link, whom they invited and where
each stands, and what the qualified ones earned them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.programs import Program
from services.referral.rules.qualification import points_worth
from services.referral.store import codes, programs


def pending(row: Mapping[str, Any], now: datetime) -> bool:
    """Still able to earn: held for review, or registered with its window open."""
    return row["status"] == "held" or (row["status"] == "registered" and row["qualify_by"] >= now)


async def referral_page(db: AsyncConnection, member_id: str, default: Program,
                        share_link_base: str, now: datetime) -> dict:
    code = await codes.active_code(db, member_id)
    rows = (await db.execute(text("""
        SELECT * FROM referrals WHERE referrer_id = :m ORDER BY registered_at DESC, referral_id
    """), {"m": member_id})).mappings().all()
    rewards = []
    for row in rows:
        if row["status"] != "qualified":
            continue
        program = await programs.version(db, row["program_version"], default)
        rewards.append({
            "referral_id": row["referral_id"], "invitee_id": row["invitee_id"],
            "coupon_template": program.referrer_coupon_template, "currency": row["currency"],
            "points_worth": points_worth(row["qualifying_amount"], program.referrer_points_bps)})
    return {
        "member_id": member_id, "code": code and code["code"],
        "link": code and share_link_base + code["code"], "invited": len(rows),
        "qualified": len(rewards),
        "pending": sum(1 for r in rows if pending(r, now)),
        "rewards": rewards, "referrals": [dict(r) for r in rows]}
