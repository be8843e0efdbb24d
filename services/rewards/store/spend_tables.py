"""Rewards' tables for spend (schema `rewards`, migration 0011), on the service's one
metadata (store/tables.py): cashback_grants (one row per grant id, with the screen's
verdict and the review), spend_progress, spend_counted and spend_thresholds_paid
(spend-and-save, net of refunds, once per threshold), first_n_counters and first_n_claims
(exactly n), coupon_issue_jobs and coupon_issue_members (bulk issuance, once per member)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from services.rewards.store.tables import metadata


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


# What rewards paid on spend: one row per grant id (store/cashback.py)
cashback_grants = Table(
    "cashback_grants", metadata,
    Column("grant_id", UUID(as_uuid=True), primary_key=True),
    Column("offer_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # cashback | spend_and_save | first_n_gift
    Column("member_id", Text, nullable=False), Column("purchase_id", Text, nullable=False),
    Column("currency", Text, nullable=False), Column("amount", BigInteger, nullable=False),
    _at("granted_at"),
    # the fraud screen's inputs and verdict, and the review (the queue of store/review_queue.py)
    Column("purchase_amount", BigInteger, nullable=False), Column("terminal_id", Text),
    Column("status", Text, nullable=False),  # granted | held | rejected
    Column("reasons", JSONB, nullable=False), Column("risk_score", Integer, nullable=False),
    Column("reviewed_by", Text), _at("reviewed_at", nullable=True), Column("review_note", Text),
    Index("cashback_grants_by_offer", "offer_id"),
    Index("cashback_grants_status_time", "status", "granted_at"),
    Index("cashback_grants_member_time", "member_id", "granted_at"),
    Index("cashback_grants_terminal_time", "terminal_id", "granted_at"),
)
spend_progress = Table(
    "spend_progress", metadata,
    Column("offer_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("spent", BigInteger, nullable=False),
)
spend_counted = Table(
    "spend_counted", metadata,
    Column("offer_id", Text, primary_key=True), Column("purchase_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False), Column("counted", BigInteger, nullable=False),
    Column("purchase_total", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, server_default=text("0")),
    Index("spend_counted_by_purchase", "purchase_id"),
)
spend_thresholds_paid = Table(
    "spend_thresholds_paid", metadata,
    Column("offer_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("threshold", BigInteger, primary_key=True),
    Column("grant_id", UUID(as_uuid=True), nullable=False),
    _at("paid_at"),
)
first_n_counters = Table(
    "first_n_counters", metadata,
    Column("offer_id", Text, primary_key=True), Column("n", BigInteger, nullable=False),
    Column("taken", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("taken >= 0 AND taken <= n", name="first_n_never_exceeded"),
)
first_n_claims = Table(
    "first_n_claims", metadata,
    Column("offer_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("slot", BigInteger, nullable=False), Column("purchase_id", Text, nullable=False),
    _at("claimed_at"),
    UniqueConstraint("offer_id", "slot", name="one_member_per_slot"),
)
coupon_issue_jobs = Table(
    "coupon_issue_jobs", metadata,
    Column("job_id", UUID(as_uuid=True), primary_key=True),
    Column("template_id", Text, nullable=False),
    Column("source", Text, nullable=False), Column("total", BigInteger, nullable=False),
    Column("issued", BigInteger, nullable=False, server_default=text("0")),
    Column("status", Text, nullable=False),  # running | done
    Column("cursor", Text),  # the last member id issued, in member id order
    Column("created_by", Text, nullable=False),
    _at("created_at"), _at("finished_at", nullable=True),
)
coupon_issue_members = Table(
    "coupon_issue_members", metadata,
    Column("job_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, primary_key=True),
    Column("coupon_id", UUID(as_uuid=True)),  # set once, when issued
)
