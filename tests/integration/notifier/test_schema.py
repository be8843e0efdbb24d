"""The migration creates exactly the tables, columns and indexes `store/tables.py`
describes: the code and the database cannot drift apart unnoticed."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.notifier.store.tables import metadata
from shared.db.engine import create_service_engine

pytestmark = pytest.mark.integration


async def test_the_migrated_schema_matches_the_table_definitions(bus_platform):
    engine = create_service_engine(bus_platform.database_url, "notifier")

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={
            "include_name": lambda name, type_, _: not (type_ == "table" and name == "alembic_version")})
        return compare_metadata(context, metadata)

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
