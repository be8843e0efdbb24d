from __future__ import annotations

import dataclasses

import pytest

from shared.events.catalog import CATALOG
from shared.topics import SERVICES, Topics


def test_topics_are_named_after_producer_and_group():
    topics = Topics()

    assert topics.events("wallet") == "wallet.events"
    assert topics.dlq("rewards") == "rewards.dlq"


def test_a_prefix_isolates_every_topic():
    topics = Topics("t-3f9a.")

    assert topics.events("wallet") == "t-3f9a.wallet.events"
    assert topics.dlq("rewards") == "t-3f9a.rewards.dlq"
    assert all(name.startswith("t-3f9a.") for name in topics.all_event_topics())


def test_there_is_one_event_topic_per_producing_service():
    assert Topics().all_event_topics() == (
        "wallet.events", "tiering.events", "rewards.events", "referral.events",
        "notifier.events",
    )
    assert {cls.producer_name for cls in CATALOG} == set(SERVICES)


def test_topics_cannot_be_changed_once_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Topics().prefix = "other."  # type: ignore[misc]
