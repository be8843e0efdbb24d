"""The rewards service's tables (schema `rewards`).

recharges_seen: every recharge rewards has been told about; the bonus decision (issue:
rewards service) will hang off this row, one decision per recharge.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from shared.db.messaging_tables import define_messaging_tables

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)

recharges_seen = Table(
    "recharges_seen",
    metadata,
    Column("recharge_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
