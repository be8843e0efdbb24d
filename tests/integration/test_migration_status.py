"""The init container's wait: a schema counts as migrated only at its newest revision."""

from __future__ import annotations

import pytest

from patronage.services import SERVICES
from shared.db.migration_status import at_head, wait_for_head
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration

WALLET = SERVICES["wallet"].migrations


async def test_a_migrated_schema_is_at_head(database_url):
    assert await at_head(WALLET, database_url, "wallet")


async def test_a_schema_never_migrated_is_not(database_url):
    assert not await at_head(WALLET, database_url, "not_yet_created")
    assert not await wait_for_head(WALLET, database_url, "not_yet_created", timeout=0.5, interval=0.1)


async def test_a_schema_behind_head_is_not(database_url):
    await fetch_all(database_url, "UPDATE wallet.alembic_version SET version_num = 'older'")
    assert not await at_head(WALLET, database_url, "wallet")


async def test_an_unreachable_database_is_waited_for_then_given_up(database_url):
    unreachable = "postgresql://nobody@127.0.0.1:1/patronage"
    assert not await wait_for_head(WALLET, unreachable, "wallet", timeout=0.3, interval=0.1)


def test_the_command_exits_0_when_migrated_and_1_when_not(database_url, monkeypatch):
    from typer.testing import CliRunner

    from patronage.cli import app
    from shared.settings import get_platform_settings

    monkeypatch.setenv("PATRONAGE_DATABASE_URL", database_url)
    monkeypatch.setenv("PATRONAGE_ENVIRONMENT", "test")  # the default, prod, wants real secrets
    get_platform_settings.cache_clear()
    try:
        migrated = CliRunner().invoke(app, ["wait-migrated", "all", "--timeout", "1"])
        monkeypatch.setenv("PATRONAGE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/patronage")
        get_platform_settings.cache_clear()
        unreachable = CliRunner().invoke(app, ["wait-migrated", "wallet", "--timeout", "0.5"])
    finally:
        get_platform_settings.cache_clear()

    assert migrated.exit_code == 0, migrated.output
    assert "notifier: migrated" in migrated.output
    assert unreachable.exit_code == 1
    assert "wallet: not migrated after 0.5s" in unreachable.output
