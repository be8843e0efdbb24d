"""Pruning removes only what is past its retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.db.engine import plain_url
from shared.db.retention import RetentionPolicy, prune
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_prune_keeps_unpublished_and_recent_rows(database_url):
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    insert_outbox = """INSERT INTO probe.outbox (event_id, topic, key, ce_type, headers, payload,
                       published_at) VALUES (gen_random_uuid(), 't', 'k', 'x', '{}', '', $1)"""
    for published_at in (old, recent, None):
        await fetch_all(database_url, insert_outbox, published_at)
    for processed_at in (old, recent):
        await fetch_all(database_url, "INSERT INTO probe.inbox VALUES ('probe', gen_random_uuid(), $1)",
                        processed_at)

    deleted = await prune(plain_url(database_url), "probe", now, RetentionPolicy(7, 30))

    assert deleted == {"outbox": 1, "inbox": 1}
    left = await fetch_all(database_url, "SELECT published_at FROM probe.outbox ORDER BY position")
    assert [r["published_at"] for r in left] == [recent, None]
    assert len(await fetch_all(database_url, "SELECT 1 FROM probe.inbox")) == 1
