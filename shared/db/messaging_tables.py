"""The outbox and inbox tables every service has in its own schema.

outbox: the event log of a service, written in the business transaction, published by the
relay in `position` order. A statement-level trigger NOTIFYs the relay so it wakes at once
instead of polling. Rows are kept (with `published_at`) for audit and replay, and pruned by
age.

inbox: one row per (consumer, event_id) that a consumer has applied, written in the same
transaction as the handler's effects; its primary key makes a redelivered event a no-op.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

OUTBOX_CHANNEL_SUFFIX = "_outbox"


def define_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("position", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("ce_type", Text, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index(
            "outbox_unpublished", "position", postgresql_where=text("published_at IS NULL")
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return outbox, inbox


def notify_channel(schema: str) -> str:
    return f"{schema}{OUTBOX_CHANNEL_SUFFIX}"


def outbox_notify_trigger_ddl(schema: str) -> list[str]:
    """DDL for the trigger that wakes the relay; one NOTIFY per statement, not per row."""
    channel = notify_channel(schema)
    return [
        f"""
        CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('{channel}', '');
          RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()
        """,
    ]
