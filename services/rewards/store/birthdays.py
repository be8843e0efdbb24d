"""Members' birthdays, from tiering's MemberEnrolled (the birthday coupon's projection)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.birthdays import birthdays_on
from shared.events.tiering import MemberEnrolled


async def remember_birthday(db: AsyncConnection, event: MemberEnrolled) -> None:
    if event.birthday is None:
        return
    await db.execute(text("""
        INSERT INTO member_birthdays (member_id, birthday) VALUES (:m, :b)
        ON CONFLICT (member_id) DO UPDATE SET birthday = excluded.birthday
    """), {"m": event.member_id, "b": event.birthday})


async def members_celebrating(db: AsyncConnection, day: date) -> list[str]:
    """The members whose birthday is celebrated on `day`, in member id order."""
    return list((await db.execute(text(
        "SELECT member_id FROM member_birthdays WHERE birthday = ANY(:days) ORDER BY member_id"),
        {"days": birthdays_on(day)})).scalars())
