"""Rewards' experiment tables (schema `rewards`, migration 0012), on the service's one
metadata (store/tables.py): experiments (one row per definition; stopped_at set once),
experiment_assignments (the first arm computed for a member, insert-if-absent),
experiment_exposures (once per experiment and member) and experiment_outcomes (revenue and
cost after exposure, once per experiment and source event, so a redelivery adds nothing)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from services.rewards.store.tables import metadata


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


experiments = Table(
    "experiments", metadata,
    Column("experiment_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("subject_kind", Text, nullable=False), Column("subject_id", Text, nullable=False),
    Column("arms", JSONB, nullable=False),  # [{"arm", "weight_bps", "parameters"}] in order
    _at("starts_at"), _at("ends_at"), _at("stopped_at", nullable=True),
    Column("created_by", Text, nullable=False), _at("created_at"),
)
experiment_assignments = Table(
    "experiment_assignments", metadata,
    Column("experiment_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("arm", Text, nullable=False), _at("assigned_at"),
)
experiment_exposures = Table(
    "experiment_exposures", metadata,
    Column("experiment_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("arm", Text, nullable=False), Column("source_id", Text, nullable=False),
    _at("exposed_at"),
    Index("experiment_exposures_by_member", "member_id"),
)
experiment_outcomes = Table(
    "experiment_outcomes", metadata,
    Column("experiment_id", Text, primary_key=True),
    Column("source_id", Text, primary_key=True),  # <kind>:<id of the source>
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # recharge | purchase | renewal | cost
    Column("revenue", BigInteger, nullable=False), Column("cost", BigInteger, nullable=False),
    _at("occurred_at"),
    Index("experiment_outcomes_by_member", "experiment_id", "member_id"),
)
