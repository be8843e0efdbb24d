"""Alembic, per service: each service's migrations live in `services/<name>/migrations/`,
run in the service's own schema, and keep their version table there.

`upgrade_to_head` is what the runtime, the CLI and the test fixtures call; the service's
`env.py` is one line that hands its metadata to `run_env`.

Stored functions are repeatable objects, not migration steps: each is written once, in
`services/<name>/store/sql/<function>.sql` (`CREATE OR REPLACE ...`, one statement per
file), and `upgrade_to_head` applies every such file after the alembic upgrade, in the same
transaction and with the service's schema as search_path. A function that does not compile
rolls the whole upgrade back. A migration only drops what a new version replaces (an old
argument list, which `CREATE OR REPLACE` would leave beside the new one as an overload).

Replicas start at once (the k8s base runs two of each service), and each migrates: the whole
upgrade, schema creation and repeatable objects included, runs under a session advisory
lock per service schema (`migration_lock_key`). The first replica migrates; the others
wait, then find the schema at head and re-apply only the repeatable objects, one at a time.
Without it two replicas on a fresh database both insert `alembic_version` and one fails.
"""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import MetaData, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.engine import asyncpg_url
from shared.db.messaging_tables import outbox_notify_trigger_ddl


def alembic_config(script_location: Path, url: str, schema: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", asyncpg_url(url).replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def upgrade_to_head(script_location: Path, url: str, schema: str) -> None:
    """Alembic to head, then the service's repeatable objects (`repeatable_sql`), in one
    transaction. Blocking; call through `asyncio.to_thread` from async code."""
    config = alembic_config(script_location, url, schema)
    config.attributes["repeatable_sql"] = repeatable_sql(script_location)
    command.upgrade(config, "head")


def migration_lock_key(schema: str) -> int:
    """The advisory-lock id that serialises the migrations of one service schema."""
    return zlib.crc32(f"patronage.migrations.{schema}".encode())


def repeatable_sql(script_location: Path) -> list[str]:
    """The text of every `*.sql` file in the service's `store/sql/` (next to its migrations
    directory), in file-name order; none for a service without one."""
    directory = script_location.parent / "store" / "sql"
    return [path.read_text() for path in sorted(directory.glob("*.sql"))]


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode only)."""
    config = context.config
    schema = config.attributes["schema"]

    def migrate(connection: Connection) -> None:
        # Session-level: held across the commit below until the connection closes.
        connection.execute(text("SELECT pg_advisory_lock(:key)"),
                           {"key": migration_lock_key(schema)})
        connection.commit()
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.execute(text(f'SET search_path TO "{schema}"'))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_name=lambda name, type_, _: not (type_ == "table" and name == "alembic_version"),
        )
        with context.begin_transaction():
            context.run_migrations()
            # The driver's own SQL: no bind-parameter parsing of `:` in PL/pgSQL bodies.
            for statement in config.attributes.get("repeatable_sql", ()):
                connection.exec_driver_sql(statement)
        connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                           {"key": migration_lock_key(schema)})
        connection.commit()

    async def run() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url"))
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())


def create_messaging_tables_v1(op: Operations) -> None:
    """The outbox, its wake-up trigger and the inbox, as every service's first migration
    creates them. Frozen: a later change to these tables is a new `_v2` step, so that old
    migrations keep meaning what they meant."""
    op.create_table(
        "outbox",
        sa.Column("position", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("ce_type", sa.Text(), nullable=False),
        sa.Column("headers", JSONB(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("outbox_unpublished", "outbox", ["position"],
                    postgresql_where=sa.text("published_at IS NULL"))
    for statement in outbox_notify_trigger_ddl(context.config.attributes["schema"]):
        op.execute(statement)
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )


def drop_messaging_tables_v1(op: Operations) -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
