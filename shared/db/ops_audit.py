"""The ops audit table every service has in its own schema: one row per state-changing
request an ops caller made (shared/http/ops_audit.py writes it), whatever the outcome, so
"who did what to whom, with which rights, and did it work" has one answer per service.
The specific audits (wallet adjustments and freezes, review decisions, consent changes)
stay where they are: they record the business facts; this records the request."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection


def define_ops_audit_table(metadata: MetaData) -> Table:
    return Table(
        "ops_audit", metadata,
        Column("audit_id", BigInteger, Identity(), primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor", Text, nullable=False),
        Column("scopes", ARRAY(Text), nullable=False),
        Column("method", Text, nullable=False),
        Column("route", Text, nullable=False),
        Column("target", JSONB, nullable=False),
        Column("status", Integer, nullable=False),
        Column("outcome", Text, nullable=False),
        Column("request_id", Text, nullable=False),
        Index("ops_audit_by_actor", "actor", "audit_id"),
    )


def create_ops_audit_table(op) -> None:
    """For a service's migration: the same table `define_ops_audit_table` describes."""
    define_ops_audit_table(MetaData()).create(op.get_bind())


# The table as the middleware and the route use it: unqualified, like every service table
# (the connection's search_path is the service's schema).
ops_audit = define_ops_audit_table(MetaData())


async def record(connection: AsyncConnection, row: dict) -> None:
    await connection.execute(ops_audit.insert().values(**row))


async def read(connection: AsyncConnection, before: int | None, actor: str | None,
               limit: int) -> list[dict]:
    """Newest first, `limit` rows with audit_id below `before`."""
    query = select(ops_audit).order_by(ops_audit.c.audit_id.desc()).limit(limit)
    if before is not None:
        query = query.where(ops_audit.c.audit_id < before)
    if actor is not None:
        query = query.where(ops_audit.c.actor == actor)
    return [dict(row._mapping) for row in await connection.execute(query)]


def outcome_of(status: int) -> str:
    """done (2xx, 3xx), refused (4xx: nothing changed), failed (5xx: see the logs)."""
    return "done" if status < 400 else "refused" if status < 500 else "failed"

