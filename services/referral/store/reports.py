"""The ops program report over [start, end): how many new members came by referral (the
"35 % of new members" goal), conversion from registered to qualified, what qualified
referrals cost (coupon templates and points worth, as the programs promised), the top
referrers, how many were held, capped, rejected or revoked, and how many qualified
invitees spent nothing since."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.programs import Program
from services.referral.rules.qualification import points_worth
from services.referral.store import programs

COUNTS = text("""
    SELECT (SELECT count(*) FROM members WHERE enrolled_at >= :start AND enrolled_at < :end)
             AS new_members,
           (SELECT count(*) FROM referrals WHERE enrolled_at >= :start AND enrolled_at < :end)
             AS referred_members,
           (SELECT count(*) FROM attribution_refusals WHERE at >= :start AND at < :end)
             AS refused_codes
""")
STATUSES = text("""
    SELECT status, count(*) AS n FROM referrals
    WHERE registered_at >= :start AND registered_at < :end GROUP BY status
""")
QUALIFIED = text("""
    SELECT program_version, qualifying_amount, currency FROM referrals
    WHERE status = 'qualified' AND qualified_at >= :start AND qualified_at < :end
""")
# qualified invitees who spent nothing after the spend that qualified them: the
# "never spends beyond the threshold" signal, only knowable after the fact
IDLE = text("""
    SELECT count(*) FROM referrals r
    WHERE r.status = 'qualified' AND r.qualified_at >= :start AND r.qualified_at < :end
      AND NOT EXISTS (SELECT 1 FROM spends s WHERE s.member_id = r.invitee_id
                      AND s.at > r.qualified_at)
""")
TOP = text("""
    SELECT referrer_id, count(*) AS qualified FROM referrals
    WHERE status = 'qualified' AND qualified_at >= :start AND qualified_at < :end
    GROUP BY referrer_id ORDER BY qualified DESC, referrer_id LIMIT :top
""")


def share_bps(part: int, whole: int) -> int | None:
    """part / whole in basis points (3500 = 35 %), rounded down; None of nothing."""
    return None if whole == 0 else part * 10_000 // whole


async def program_report(db: AsyncConnection, start: datetime, end: datetime,
                         default: Program, top: int = 10) -> dict:
    period = {"start": start, "end": end}
    counts = (await db.execute(COUNTS, period)).one()
    statuses = {r.status: r.n for r in await db.execute(STATUSES, period)}
    registered = sum(statuses.values())
    converted = sum(statuses.get(s, 0) for s in ("qualified", "revoked", "capped"))
    cost: dict[str, int] = {}
    coupons: dict[str, int] = {}
    qualified = (await db.execute(QUALIFIED, period)).all()
    for row in qualified:
        program = await programs.version(db, row.program_version, default)
        cost[row.currency] = cost.get(row.currency, 0) + points_worth(
            row.qualifying_amount, program.referrer_points_bps)
        for template in (program.referrer_coupon_template, program.invitee_coupon_template):
            if template:
                coupons[template] = coupons.get(template, 0) + 1
    return {
        "from": start, "to": end, "new_members": counts.new_members,
        "referred_members": counts.referred_members,
        "referred_share_bps": share_bps(counts.referred_members, counts.new_members),
        "registered": registered, "converted": converted,
        "conversion_bps": share_bps(converted, registered),
        "qualified": len(qualified),
        "points_worth_per_qualified": {c: v // len(qualified) for c, v in cost.items()},
        "coupons_issued": coupons,
        "held": statuses.get("held", 0), "capped": statuses.get("capped", 0),
        "rejected": statuses.get("rejected", 0), "revoked": statuses.get("revoked", 0),
        "expired": statuses.get("expired", 0),
        "refused_codes": counts.refused_codes,
        "idle_after_qualifying": (await db.execute(IDLE, period)).scalar_one(),
        "top_referrers": [dict(r._mapping) for r in await db.execute(TOP, {**period, "top": top})],
    }
