"""Prometheus counters for the messaging engine, labelled by service/consumer group."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS_CONSUMED = Counter(
    "patronage_events_consumed_total", "Events a consumer group finished with, by outcome",
    ["consumer", "outcome"],  # applied | duplicate | dead_lettered
)
EVENTS_PUBLISHED = Counter(
    "patronage_events_published_total", "Outbox rows the relay published", ["service"]
)
PUBLISH_FAILURES = Counter(
    "patronage_outbox_publish_failures_total", "Relay batches that failed and were retried",
    ["service"],
)
