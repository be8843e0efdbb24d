"""A member's data export, one part per service (docs/privacy.md, "Access and export").

Every service keeps the part it built in its own schema's `data_export_parts` table, as
JSONB with an expiry: the part holds personal data, so it never travels on Kafka (events
are copied to every subscriber and cannot be erased). Tiering, which owns the export,
fetches the parts over HTTP when the archive is downloaded.

`member_rows` pages through a member's rows with keyset scans (`WHERE member = :id AND
(keys) > (:last) ORDER BY keys LIMIT :batch`), so a long history is read in bounded
batches instead of one unbounded result; callers pass keys an index of the table leads
with the member column, where the table has one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, Table, Text, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection

BATCH = 500  # rows per keyset page


def define_data_export_parts_table(metadata: MetaData) -> Table:
    return Table(
        "data_export_parts", metadata,
        Column("export_id", UUID(as_uuid=True), primary_key=True),
        Column("member_id", Text, nullable=False),
        Column("content", JSONB, nullable=False),
        Column("records", Integer, nullable=False),
        Column("built_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("data_export_parts_by_expiry", "expires_at"),
    )


def create_data_export_parts_table(op) -> None:
    """For a service's migration: the table `define_data_export_parts_table` describes."""
    define_data_export_parts_table(MetaData()).create(op.get_bind())


# unqualified, like every service table: the connection's search_path is the service's schema
data_export_parts = define_data_export_parts_table(MetaData())


@dataclass(frozen=True)
class MemberSection:
    """One section of a part: the member's rows of `table`, paged by `keys`."""

    name: str
    table: Table
    member_column: str
    keys: tuple[str, ...]


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


async def member_rows(connection: AsyncConnection, section: MemberSection, member_id: str,
                      batch: int = BATCH) -> AsyncIterator[dict[str, Any]]:
    table = section.table
    keys = [table.c[name] for name in section.keys]
    last: Sequence[Any] | None = None
    while True:
        query = (select(table).where(table.c[section.member_column] == member_id)
                 .order_by(*keys).limit(batch))
        if last is not None:
            query = query.where(tuple_(*keys) > tuple_(*last))
        rows = (await connection.execute(query)).mappings().all()
        for row in rows:
            yield {name: jsonable(value) for name, value in row.items()}
        if len(rows) < batch:
            return
        last = [rows[-1][name] for name in section.keys]


async def build_part(connection: AsyncConnection, member_id: str,
                     sections: Sequence[MemberSection]) -> dict[str, list[dict[str, Any]]]:
    return {section.name: [row async for row in member_rows(connection, section, member_id)]
            for section in sections}


async def save_part(connection: AsyncConnection, export_id: uuid.UUID, member_id: str,
                    content: dict[str, list], built_at: datetime, expires_at: datetime) -> int:
    """Store the part once (a redelivered request keeps the first); the number of rows."""
    records = sum(len(rows) for rows in content.values())
    await connection.execute(insert(data_export_parts).values(
        export_id=export_id, member_id=member_id, content=content, records=records,
        built_at=built_at, expires_at=expires_at).on_conflict_do_nothing())
    return records


async def part_of(connection: AsyncConnection, export_id: uuid.UUID) -> dict[str, Any] | None:
    row = (await connection.execute(select(data_export_parts).where(
        data_export_parts.c.export_id == export_id))).mappings().first()
    return dict(row) if row else None


async def delete_expired_parts(connection: AsyncConnection, now: datetime) -> int:
    deleted = await connection.execute(
        data_export_parts.delete().where(data_export_parts.c.expires_at <= now))
    return deleted.rowcount


async def build_and_save(connection: AsyncConnection, export_id: uuid.UUID, member_id: str,
                         sections: Sequence[MemberSection], now: datetime,
                         expires_at: datetime) -> int:
    """A service's whole part for `MemberDataExportRequested`: built, stored; its row count."""
    content = await build_part(connection, member_id, sections)
    return await save_part(connection, export_id, member_id, content, now, expires_at)
