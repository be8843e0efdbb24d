"""The KPIs' numerators and denominators, read from the projection (store/kpi_tables.py)
and from rewards' own books, for a period of local days [start, end], optionally one store
and one segment (a join with segment_members). Every read is a range scan on an index: the
member days by day (then store), members by enrolment day, terms by end day, decisions by
review time; the liability alone sums every member day up to the period's end.

What each KPI means is docs/kpis.md; the division is rules/kpis.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules import kpis as rules
from services.rewards.rules.kpis import Kpi
from shared.rule_violations import NotFound


def _in_segment(alias: str, segment: str | None) -> str:
    if segment is None:
        return ""
    return (f" JOIN segment_members s ON s.member_id = {alias}.member_id"
            " AND s.segment_id = :segment")


def _enrolled_at_store(alias: str, store: str | None) -> str:
    """Member-level KPIs cut by store: the member's enrolment store."""
    if store is None:
        return ""
    return f" JOIN kpi_members k ON k.member_id = {alias}.member_id AND k.store_id = :store"


def _activity(segment: str | None, store: str | None) -> str:
    at_store = " AND d.store_id = :store" if store else ""
    return f"""
    WITH m AS (
        SELECT d.member_id, sum(d.recharges) AS recharges, sum(d.purchases) AS purchases,
               sum(d.purchase_amount) AS spent
        FROM kpi_member_days d{_in_segment("d", segment)}
        WHERE d.day BETWEEN :start AND :end{at_store}
        GROUP BY d.member_id HAVING sum(d.recharges) + sum(d.purchases) > 0),
    paid AS (
        SELECT m.*, EXISTS (SELECT 1 FROM kpi_terms t WHERE t.member_id = m.member_id
                            AND NOT t.revoked AND t.starts_on <= :end AND t.ends_on > :start
                           ) AS paid FROM m)
    SELECT count(*) AS active, count(*) FILTER (WHERE recharges > 0) AS recharged,
           count(*) FILTER (WHERE purchases > 0) AS buyers,
           count(*) FILTER (WHERE purchases > 1) AS repeat_buyers,
           coalesce(sum(purchases), 0) AS orders, coalesce(sum(spent), 0) AS revenue,
           count(*) FILTER (WHERE paid) AS paid_members,
           coalesce(sum(spent) FILTER (WHERE paid), 0) AS paid_revenue
    FROM paid"""


def _active_days(segment: str | None, store: str | None) -> str:
    """Member-days active in the period, and churn against the period before it."""
    at_store = " AND d.store_id = :store" if store else ""
    return f"""
    WITH days AS (
        SELECT d.day, d.member_id FROM kpi_member_days d{_in_segment("d", segment)}
        WHERE d.day BETWEEN :before AND :end{at_store} AND d.recharges + d.purchases > 0
        GROUP BY d.day, d.member_id),
    members AS (
        SELECT member_id, bool_or(day >= :start) AS now, bool_or(day < :start) AS earlier
        FROM days GROUP BY member_id)
    SELECT (SELECT count(*) FROM days WHERE day >= :start) AS member_days,
           count(*) FILTER (WHERE earlier) AS earlier,
           count(*) FILTER (WHERE earlier AND NOT now) AS churned
    FROM members"""


def _renewals(segment: str | None, store: str | None) -> str:
    return f"""
    SELECT to_char(t.ends_on, 'YYYY-MM') AS cohort, count(*) AS due,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM kpi_terms n WHERE n.member_id = t.member_id AND NOT n.revoked
               AND n.starts_on > t.starts_on
               AND n.starts_on <= t.ends_on + CAST(:grace AS integer))) AS renewed
    FROM kpi_terms t{_in_segment("t", segment)}{_enrolled_at_store("t", store)}
    WHERE t.ends_on BETWEEN :start AND :end AND NOT t.revoked
    GROUP BY 1 ORDER BY 1"""


def _enrolments(segment: str | None, store: str | None) -> str:
    at_store = " AND e.store_id = :store" if store else ""
    return f"""
    SELECT count(*) AS enrolled, count(*) FILTER (WHERE e.referred) AS referred
    FROM kpi_members e{_in_segment("e", segment)}
    WHERE e.enrolled_on BETWEEN :start AND :end{at_store}"""


def _tiers(segment: str | None, store: str | None) -> str:
    return f"""
    SELECT t.tier, count(*) AS members FROM member_tiers t{_in_segment("t", segment)}
    {_enrolled_at_store("t", store)} GROUP BY t.tier ORDER BY t.tier"""


def _program(segment: str | None) -> str:
    """Store-less sums over the period's member days, and the liability up to its end."""
    return f"""
    WITH m AS (
        SELECT d.member_id, sum(d.tier_ups) AS ups, sum(d.tier_downs) AS downs,
               sum(d.bonus_credited) AS credited, sum(d.bonus_expired) AS expired,
               sum(d.notifications_sent) AS sent, sum(d.notifications_failed) AS failed,
               sum(d.marketing_opt_outs) AS opt_outs
        FROM kpi_member_days d{_in_segment("d", segment)}
        WHERE d.day BETWEEN :start AND :end GROUP BY d.member_id)
    SELECT coalesce(sum(ups), 0) AS ups, coalesce(sum(downs), 0) AS downs,
           coalesce(sum(credited), 0) AS credited, coalesce(sum(expired), 0) AS expired,
           count(*) FILTER (WHERE sent > 0) AS reached,
           count(*) FILTER (WHERE sent + failed > 0) AS addressed,
           count(*) FILTER (WHERE opt_outs > 0) AS opted_out,
           (SELECT coalesce(sum(d.bonus_credited - d.bonus_spent - d.bonus_expired
                                - d.bonus_clawed_back + d.bonus_returned), 0)
            FROM kpi_member_days d{_in_segment("d", segment)} WHERE d.day <= :end) AS liability
    FROM m"""


def _referral_points(segment: str | None) -> str:
    joined = (" JOIN segment_members s ON s.member_id = r.invitee_id AND s.segment_id = :segment"
              if segment else "")
    return f"""
    SELECT count(*) AS qualified, coalesce(sum(r.points), 0) AS points
    FROM referral_rewards r{joined}
    WHERE r.granted_at >= :from_utc AND r.granted_at < :to_utc"""


def _turnaround(segment: str | None) -> str:
    return f"""
    SELECT count(*) AS reviewed,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS median,
           percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS p90
    FROM (SELECT floor(extract(epoch FROM b.reviewed_at - b.decided_at))::bigint AS seconds
          FROM bonus_decisions b{_in_segment("b", segment)}
          WHERE b.reviewed_at >= :from_utc AND b.reviewed_at < :to_utc) r"""


async def segment_exists(db: AsyncConnection, segment: str) -> None:
    found = (await db.execute(text("SELECT 1 FROM segments WHERE segment_id = :s LIMIT 1"),
                              {"s": segment})).first()
    if found is None:
        raise NotFound("segment_not_found", f"No segment {segment}.")


async def compute(db: AsyncConnection, start: date, end: date, zone: ZoneInfo,
                  store: str | None = None, segment: str | None = None) -> list[Kpi]:
    """Every KPI of rules.KPIS for the period; a KPI that cannot be cut by store answers
    None when a store is asked for."""
    rules.check_period(start, end)
    if segment is not None:
        await segment_exists(db, segment)
    from_utc, to_utc = rules.day_bounds(start, end, zone)
    before, _ = rules.previous_period(start, end)
    params: dict[str, Any] = {"start": start, "end": end, "store": store, "segment": segment,
                              "before": before, "from_utc": from_utc, "to_utc": to_utc,
                              "grace": rules.RENEWAL_GRACE_DAYS}

    async def one(sql: str) -> Any:
        return (await db.execute(text(sql), params)).one()

    a = await one(_activity(segment, store))
    days = await one(_active_days(segment, store))
    cohorts = (await db.execute(text(_renewals(segment, store)), params)).all()
    enrolled = await one(_enrolments(segment, store))
    tiers = (await db.execute(text(_tiers(segment, store)), params)).all()
    program = await one(_program(segment))
    referrals = await one(_referral_points(segment))
    reviews = await one(_turnaround(segment))

    due, renewed = sum(c.due for c in cohorts), sum(c.renewed for c in cohorts)
    revenue, paid_revenue = int(a.revenue), int(a.paid_revenue)
    found = [
        Kpi("active_members", "count", a.active),
        Kpi("daily_active_members", "count", rules.per(days.member_days, rules.days_in(start, end)),
            days.member_days, rules.days_in(start, end)),
        Kpi("recharge_conversion", "bps", rules.rate_bps(a.recharged, a.active), a.recharged,
            a.active),
        Kpi("arpu", "minor_units", rules.per(revenue, a.active), revenue, a.active),
        Kpi("average_order_value", "minor_units", rules.per(revenue, int(a.orders)), revenue,
            int(a.orders)),
        Kpi("repeat_purchase_rate", "bps", rules.rate_bps(a.repeat_buyers, a.buyers),
            a.repeat_buyers, a.buyers),
        Kpi("churn_rate", "bps", rules.rate_bps(days.churned, days.earlier), days.churned,
            days.earlier),
        Kpi("paid_member_share", "bps", rules.rate_bps(a.paid_members, a.active),
            a.paid_members, a.active),
        Kpi("paid_member_revenue_share", "bps", rules.rate_bps(paid_revenue, revenue)
            if revenue > 0 else None, paid_revenue, revenue),
        Kpi("renewal_rate", "bps", rules.rate_bps(renewed, due), renewed, due, tuple(
            (c.cohort, rules.rate_bps(c.renewed, c.due), c.renewed, c.due) for c in cohorts)),
        Kpi("referral_share", "bps", rules.rate_bps(enrolled.referred, enrolled.enrolled),
            enrolled.referred, enrolled.enrolled),
        Kpi("points_per_qualified_referral", "count",
            rules.per(int(referrals.points), referrals.qualified), int(referrals.points),
            referrals.qualified),
        Kpi("tier_distribution", "count", sum(t.members for t in tiers), breakdown=tuple(
            (t.tier, t.members, None, None) for t in tiers)),
        Kpi("tier_moves", "count", int(program.ups) + int(program.downs), breakdown=(
            ("up", int(program.ups), None, None), ("down", int(program.downs), None, None))),
        Kpi("bonus_cost", "minor_units", int(program.credited)),
        Kpi("breakage", "minor_units", int(program.expired)),
        Kpi("bonus_liability", "minor_units", int(program.liability)),
        Kpi("review_turnaround_median_seconds", "count", _int(reviews.median), None,
            reviews.reviewed),
        Kpi("review_turnaround_p90_seconds", "count", _int(reviews.p90), None, reviews.reviewed),
        Kpi("notification_reach", "bps", rules.rate_bps(program.reached, program.addressed),
            program.reached, program.addressed),
        Kpi("opt_out_rate", "bps", rules.rate_bps(program.opted_out, program.addressed),
            program.opted_out, program.addressed),
    ]
    if store is not None:
        found = [k if rules.KPIS[k.name][1] else Kpi(k.name, k.unit, None) for k in found]
    return found


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
