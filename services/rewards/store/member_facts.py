"""The member-facts projection segments are defined over: `member_facts` (one row per member
rewards heard of: home store, channel, referral code, paid membership end, the local month
of the last birthday) and `member_activity` (every purchase, recharge, points redemption and
refund, keyed by its source, so a redelivered event is recorded once). Tiers come from
`member_tiers` (store/member_tiers.py).

`facts_of` reads the facts of many members at a moment in one statement: the windows
(spend and visits over 30/90/365 days, last activity of any kind) are index-backed range
reads of one member's activity (`member_activity_member_time`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.segments import (
    MemberFacts,
    birthday_month_is_current,
    days_since,
    days_to_expiry,
    membership_status,
)


@dataclass(frozen=True)
class Activity:
    kind: str  # purchase | recharge | redemption | purchase_refund | recharge_refund
    source_id: str
    member_id: str
    amount: int
    store_id: str | None
    occurred_at: datetime


RECORD_ACTIVITY = text("""
    INSERT INTO member_activity (kind, source_id, member_id, amount, store_id, occurred_at)
    SELECT * FROM unnest(CAST(:kinds AS text[]), CAST(:sources AS text[]),
        CAST(:members AS text[]), CAST(:amounts AS bigint[]), CAST(:stores AS text[]),
        CAST(:ats AS timestamptz[]))
    ON CONFLICT (kind, source_id) DO NOTHING
""")
TOUCH = text("""
    INSERT INTO member_facts (member_id, updated_at)
    SELECT unnest(CAST(:members AS text[])), CAST(:now AS timestamptz)
    ON CONFLICT (member_id) DO NOTHING
""")


async def record_activity(db: AsyncConnection, activities: Sequence[Activity], now: datetime
                          ) -> None:
    """Record activities (one statement; a source seen before is not counted again)."""
    if not activities:
        return
    await db.execute(RECORD_ACTIVITY, {
        "kinds": [a.kind for a in activities], "sources": [a.source_id for a in activities],
        "members": [a.member_id for a in activities], "amounts": [a.amount for a in activities],
        "stores": [a.store_id for a in activities], "ats": [a.occurred_at for a in activities]})
    await touch(db, [a.member_id for a in activities], now)


async def touch(db: AsyncConnection, member_ids: Sequence[str], now: datetime) -> None:
    """Make sure the members have a facts row: the job and new segments evaluate these."""
    await db.execute(TOUCH, {"members": sorted(set(member_ids)), "now": now})


async def set_facts(db: AsyncConnection, member_id: str, now: datetime, **facts: Any) -> None:
    """Set some of a member's facts (the keys are member_facts columns, named by code)."""
    columns = ", ".join(facts)
    values = ", ".join(f":{name}" for name in facts)
    updates = ", ".join(f"{name} = excluded.{name}" for name in facts)
    await db.execute(text(f"""
        INSERT INTO member_facts (member_id, updated_at, {columns})
        VALUES (:member_id, :now, {values})
        ON CONFLICT (member_id) DO UPDATE SET updated_at = excluded.updated_at, {updates}
    """), {"member_id": member_id, "now": now, **facts})


async def extend_membership(db: AsyncConnection, member_id: str, ends_at: datetime,
                            now: datetime) -> None:
    """A renewal moves the end later, never earlier (a late, older renewal changes nothing)."""
    await db.execute(text("""
        INSERT INTO member_facts (member_id, updated_at, membership_ends_at)
        VALUES (:member_id, :now, :ends_at)
        ON CONFLICT (member_id) DO UPDATE SET updated_at = excluded.updated_at,
            membership_ends_at = greatest(member_facts.membership_ends_at, excluded.membership_ends_at)
    """), {"member_id": member_id, "now": now, "ends_at": ends_at})


# One row per member asked for; the activity aggregates are one index range per member.
FACTS = text("""
    SELECT m.member_id, f.home_store, f.enrolment_channel, f.referral_code,
           f.membership_ends_at, f.birthday_celebrated_month, t.tier, a.*
    FROM unnest(CAST(:members AS text[])) AS m(member_id)
    LEFT JOIN member_facts f ON f.member_id = m.member_id
    LEFT JOIN member_tiers t ON t.member_id = m.member_id
    LEFT JOIN LATERAL (
      SELECT
        coalesce(sum(amount) FILTER (WHERE kind IN ('purchase', 'purchase_refund')
                                       AND occurred_at > :d30), 0) AS spend_30d,
        coalesce(sum(amount) FILTER (WHERE kind IN ('purchase', 'purchase_refund')
                                       AND occurred_at > :d90), 0) AS spend_90d,
        coalesce(sum(amount) FILTER (WHERE kind IN ('purchase', 'purchase_refund')
                                       AND occurred_at > :d365), 0) AS spend_365d,
        count(*) FILTER (WHERE kind = 'purchase' AND occurred_at > :d30) AS visits_30d,
        count(*) FILTER (WHERE kind = 'purchase' AND occurred_at > :d90) AS visits_90d,
        count(*) FILTER (WHERE kind = 'purchase' AND occurred_at > :d365) AS visits_365d,
        count(*) FILTER (WHERE kind = 'recharge') AS recharge_count,
        coalesce(sum(amount) FILTER (WHERE kind IN ('recharge', 'recharge_refund')), 0)
          AS lifetime_recharged,
        max(occurred_at) FILTER (WHERE kind IN ('purchase', 'recharge', 'redemption'))
          AS last_activity_at,
        coalesce(array_agg(DISTINCT store_id) FILTER (WHERE store_id IS NOT NULL
                                                      AND kind IN ('purchase', 'recharge')),
                 '{}') AS stores_visited
      FROM member_activity WHERE member_id = m.member_id AND occurred_at <= :now
    ) a ON true
""")


async def facts_of(db: AsyncConnection, member_ids: Sequence[str], now: datetime,
                   zone: ZoneInfo) -> list[MemberFacts]:
    if not member_ids:
        return []
    rows = (await db.execute(FACTS, {
        "members": sorted(set(member_ids)), "now": now, "d30": now - timedelta(days=30),
        "d90": now - timedelta(days=90), "d365": now - timedelta(days=365)})).mappings().all()
    local_month = now.astimezone(zone).strftime("%Y-%m")
    return [member_facts(row, now, local_month) for row in rows]


def member_facts(row: Any, now: datetime, local_month: str) -> MemberFacts:
    ends_at = row["membership_ends_at"]
    return MemberFacts(row["member_id"], {
        "tier": row["tier"], "home_store": row["home_store"],
        "stores_visited": frozenset(row["stores_visited"]),
        **{name: int(row[name]) for name in (
            "spend_30d", "spend_90d", "spend_365d", "visits_30d", "visits_90d", "visits_365d",
            "recharge_count", "lifetime_recharged")},
        "days_since_last_activity": days_since(row["last_activity_at"], now),
        "membership_status": membership_status(ends_at, now),
        "days_to_expiry": days_to_expiry(ends_at, now),
        "birthday_month_is_current": birthday_month_is_current(
            row["birthday_celebrated_month"], local_month),
        "enrolment_channel": row["enrolment_channel"], "referral_code": row["referral_code"],
        "referred": row["referral_code"] is not None,
    })

