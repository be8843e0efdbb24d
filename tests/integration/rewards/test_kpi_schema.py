"""Rewards' KPI tables as migrated (0012) are exactly what `store/kpi_tables.py` describes,
keys and indexes included: the (day, store, member) key is what makes a period a range
scan, and the (kind, period_start) constraint what makes a scheduled report once only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.rewards.store.tables import metadata
from shared.db.engine import create_service_engine

pytestmark = pytest.mark.integration
KPI_TABLES = {"kpi_member_days", "kpi_members", "kpi_terms", "scheduled_reports"}


def ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and (table.name in KPI_TABLES or name == "bonus_decisions_reviewed")


async def test_the_migrated_kpi_tables_match_their_definitions(bus_platform):
    import services.rewards.store.kpi_tables  # noqa: F401  (on the service's metadata)
    engine = create_service_engine(bus_platform.database_url, "rewards")

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        return compare_metadata(context, metadata)

    try:
        async with engine.connect() as connection:
            present = set(await connection.run_sync(
                lambda sync: inspect(sync).get_table_names()))
            assert KPI_TABLES <= present
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
