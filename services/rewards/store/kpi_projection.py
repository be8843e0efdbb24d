"""Writes the KPI projection (store/kpi_tables.py) from the events rewards consumes.

Called by the handlers with the handler's unit of work, so each write commits with the
inbox claim of the event that caused it: a redelivered event is skipped by the inbox and
never counted twice. Counters only add (an upsert per member day), so the order in which
two members' events arrive changes nothing and no member lock is needed for them. Money is
counted in the merchant's report currency only (settings.report_currency); an event in
another currency still counts as activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.kpis import local_day
from services.rewards.store.kpi_tables import COUNTERS
from shared.events.tiering import MemberEnrolled, MembershipRenewed, MembershipRevoked
from shared.events.wallet import PurchaseCompleted, RechargeCompleted

ADD = text(f"""
    INSERT INTO kpi_member_days (day, store_id, member_id, {", ".join(COUNTERS)})
    VALUES (:day, :store_id, :member_id, {", ".join(f":{c}" for c in COUNTERS)})
    ON CONFLICT (day, store_id, member_id) DO UPDATE SET
    {", ".join(f"{c} = kpi_member_days.{c} + EXCLUDED.{c}" for c in COUNTERS)}
""")
ENROL = text("""
    INSERT INTO kpi_members (member_id, enrolled_on, store_id, referred)
    VALUES (:member_id, :enrolled_on, :store_id, :referred) ON CONFLICT DO NOTHING
""")
TERM = text("""
    INSERT INTO kpi_terms (term_id, member_id, starts_on, ends_on)
    VALUES (:term_id, :member_id, :starts_on, :ends_on) ON CONFLICT DO NOTHING
""")
REVOKE = text("UPDATE kpi_terms SET revoked = true WHERE term_id = :term_id")


class DayCount:
    """What one event adds to its member's day: `DayCount(member, at, store, **counters)`."""

    def __init__(self, member_id: str, at: datetime, store_id: str | None,
                 **counters: int) -> None:
        unknown = set(counters) - set(COUNTERS)
        if unknown:
            raise ValueError(f"no such KPI counters: {sorted(unknown)}")
        self.member_id, self.at, self.store_id, self.counters = member_id, at, store_id, counters


async def add(db: AsyncConnection, counts: Iterable[DayCount], zone: ZoneInfo) -> None:
    rows = [{"day": local_day(c.at, zone), "store_id": c.store_id or "",
             "member_id": c.member_id, **dict.fromkeys(COUNTERS, 0), **c.counters}
            for c in counts]
    if rows:
        await db.execute(ADD, rows)


def money(amount: int, currency: str, report_currency: str) -> int:
    return amount if currency == report_currency else 0


async def count_recharges(db: AsyncConnection, events: Sequence[RechargeCompleted],
                          zone: ZoneInfo, currency: str) -> None:
    await add(db, (DayCount(e.member_id, e.occurred_at, e.store_id, recharges=1,
                            recharge_amount=money(e.amount, e.currency, currency))
                   for e in events), zone)


async def count_purchases(db: AsyncConnection, events: Sequence[PurchaseCompleted],
                          zone: ZoneInfo, currency: str) -> None:
    await add(db, (DayCount(e.member_id, e.occurred_at, e.store_id, purchases=1,
                            purchase_amount=money(e.total, e.currency, currency),
                            bonus_spent=money(e.paid_bonus, e.currency, currency))
                   for e in events), zone)


async def record_enrolment(db: AsyncConnection, event: MemberEnrolled, zone: ZoneInfo) -> None:
    await db.execute(ENROL, {"member_id": event.member_id,
                             "enrolled_on": local_day(event.enrolled_at, zone),
                             "store_id": event.store_id or "",
                             "referred": event.referral_code is not None})


async def record_term(db: AsyncConnection, event: MembershipRenewed, zone: ZoneInfo) -> None:
    await db.execute(TERM, {"term_id": event.term_id, "member_id": event.member_id,
                            "starts_on": local_day(event.term_start, zone),
                            "ends_on": local_day(event.term_end, zone)})


async def revoke_term(db: AsyncConnection, event: MembershipRevoked) -> None:
    await db.execute(REVOKE, {"term_id": event.term_id})
