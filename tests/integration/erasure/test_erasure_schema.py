"""Tiering's erasure tables as migrated (0007) are exactly what `store/tables.py` describes,
indexes included: the one-live-request-per-member index is what makes a second request a
no-op under concurrency, so a drift between the two must fail here."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.tiering.store.tables import metadata
from shared.db.engine import create_service_engine

pytestmark = pytest.mark.integration
ERASURE_TABLES = {"erasure_requests", "erasure_confirmations", "erasure_actions"}


def ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in ERASURE_TABLES


async def test_the_migrated_erasure_tables_match_their_definitions(bus_platform):
    engine = create_service_engine(bus_platform.database_url, "tiering")

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        return compare_metadata(context, metadata)

    try:
        async with engine.connect() as connection:
            present = set(await connection.run_sync(
                lambda sync: inspect(sync).get_table_names()))
            assert ERASURE_TABLES <= present
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
