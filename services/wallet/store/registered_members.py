"""Who is a registered member: the wallet's projection of tiering's `MemberEnrolled`, so a
recharge picks its caps by kind without asking tiering (no synchronous call).

An id is registered once its `MemberEnrolled` has been consumed; until then it is an
unregistered card. A member who enrols and recharges within the consumer's lag (usually
well under a second) gets the card caps for that recharge (docs/wallet.md, "Cards by kind").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.recharges import CardKind
from shared.events.tiering import MemberEnrolled

# Idempotent: a redelivered or repeated enrolment keeps the first row.
REGISTER = text("""
    INSERT INTO registered_members (member_id, enrolled_at)
    SELECT * FROM unnest(CAST(:member_ids AS text[]), CAST(:enrolled_at AS timestamptz[]))
    ON CONFLICT (member_id) DO NOTHING
""")
KIND = text("SELECT EXISTS (SELECT 1 FROM registered_members WHERE member_id = :m)")


async def register_members(db: AsyncConnection, events: Sequence[MemberEnrolled]) -> None:
    """Record a consumer batch's enrolments in one statement (first enrolment per id)."""
    first: dict[str, MemberEnrolled] = {}
    for event in events:
        first.setdefault(event.member_id, event)
    await db.execute(REGISTER, {"member_ids": list(first),
                                "enrolled_at": [e.enrolled_at for e in first.values()]})


async def card_kind(db: AsyncConnection, member_id: str) -> CardKind:
    registered = (await db.execute(KIND, {"m": member_id})).scalar_one()
    return "registered" if registered else "card"
