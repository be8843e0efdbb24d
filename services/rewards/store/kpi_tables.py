"""The KPI reporting projection and the scheduled reports (schema `rewards`, migration 0012),
on the service's one metadata (store/tables.py).

kpi_member_days: one row per (local day, store, member) with that day's counters, written by
the consumers in the same transaction as the inbox claim, so a redelivered event never
counts twice; its key starts with the day, so a period is an index range scan (and a store
one within it). kpi_members: when each member enrolled, where, and whether through a
referral code. kpi_terms: each paid membership term (renewal cohorts, paid members).
scheduled_reports: each daily and weekly report once (unique on kind + period start).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.rewards.store.tables import metadata

# The counters of a member's day; a store-less event (a bonus credit, a tier change, a
# message) is counted under store_id ''.
COUNTERS = ("recharges", "recharge_amount", "purchases", "purchase_amount", "bonus_credited",
            "bonus_spent", "bonus_expired", "bonus_clawed_back", "bonus_returned", "tier_ups",
            "tier_downs", "notifications_sent", "notifications_failed", "marketing_opt_outs")


def _counter(name: str) -> Column:
    return Column(name, BigInteger, nullable=False, server_default=text("0"))


kpi_member_days = Table(
    "kpi_member_days", metadata,
    Column("day", Date, primary_key=True),
    Column("store_id", Text, primary_key=True),
    Column("member_id", Text, primary_key=True),
    *(_counter(name) for name in COUNTERS),
    Index("kpi_member_days_by_member", "member_id"),  # erasure
)
kpi_members = Table(
    "kpi_members", metadata,
    Column("member_id", Text, primary_key=True),
    Column("enrolled_on", Date, nullable=False),
    Column("store_id", Text, nullable=False),  # '' when enrolled without a store
    Column("referred", Boolean, nullable=False),
    Index("kpi_members_by_day", "enrolled_on"),
)
kpi_terms = Table(
    "kpi_terms", metadata,
    Column("term_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=text("false")),
    Index("kpi_terms_by_end", "ends_on"),
    Index("kpi_terms_by_member", "member_id", "starts_on"),
)
scheduled_reports = Table(
    "scheduled_reports", metadata,
    Column("report_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),  # daily | weekly
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("currency", Text, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "period_start", name="scheduled_reports_once_per_period"),
    Index("scheduled_reports_newest", "created_at", "report_id"),
)
