"""`patronage dlq list|replay` reach every consumer group with a dead-letter topic: each
service's own and its side consumers' (the notifier's webhooks, `notifier-webhooks`)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import shared.messaging.dlq_list as dlq_list_module
import shared.messaging.dlq_replay as dlq_replay_module
from patronage.cli import app
from patronage.services import DEAD_LETTER_GROUPS, SERVICES
from shared.settings import get_platform_settings


@pytest.fixture
def test_environment(monkeypatch):
    """The commands read the platform settings from the environment (cached): a test one."""
    monkeypatch.setenv("PATRONAGE_ENVIRONMENT", "test")
    get_platform_settings.cache_clear()
    yield
    get_platform_settings.cache_clear()


def test_every_consuming_service_and_the_webhooks_side_group_have_their_dead_letters_reachable():
    consuming = {name for name, spec in SERVICES.items() if spec.handlers}
    assert consuming == {"wallet", "tiering", "rewards", "referral", "notifier"}
    assert set(DEAD_LETTER_GROUPS) == consuming | {"notifier-webhooks"}  # not the console


@pytest.mark.parametrize("group", ["rewards", "notifier-webhooks"])
def test_list_and_replay_read_the_named_groups_dead_letter_topic(monkeypatch, test_environment,
                                                                 group):
    asked = []

    async def fake_list(platform, name, limit, unreplayed):
        asked.append(("list", name))
        return []

    async def fake_replay(platform, name, dry_run=False):
        asked.append(("replay", name))
        return 0

    monkeypatch.setattr(dlq_list_module, "list_dead_letters", fake_list)
    monkeypatch.setattr(dlq_replay_module, "replay_dead_letters", fake_replay)
    runner = CliRunner()
    listed = runner.invoke(app, ["dlq", "list", group])
    replayed = runner.invoke(app, ["dlq", "replay", group, "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert f"{group}.dlq: nothing dead-lettered" in listed.output
    assert replayed.exit_code == 0, replayed.output
    assert asked == [("list", group), ("replay", group)]


def test_an_unknown_group_is_refused_with_the_choices():
    result = CliRunner().invoke(app, ["dlq", "list", "notifier-nosuch"])
    assert result.exit_code == 2
    assert "notifier-webhooks" in result.output
