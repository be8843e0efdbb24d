"""Replicas migrating a fresh database at once: every start succeeds (the full 200 starts
are `scripts/migrate-race`; docs/operations.md)."""

from __future__ import annotations

from patronage.migration_race import race_migrations
from tests import infra


def test_ten_pairs_of_simultaneous_migrations_on_fresh_databases_all_succeed(
        postgres: infra.PostgresHandle):
    result = race_migrations(postgres.dsn, pairs=10, service="all")

    assert result.starts == 20
    assert result.failures == []
