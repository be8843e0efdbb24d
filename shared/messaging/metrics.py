"""Prometheus metrics of the messaging engine, labelled by service or consumer group."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

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

# Gauges sampled by shared/service_figures.py every few seconds (not per scrape: a scrape
# never waits on the broker or the database).
CONSUMER_LAG = Gauge(
    "patronage_consumer_lag", "Records of a topic the consumer group has not committed, "
    "summed over the topic's partitions", ["group", "topic"],
)
OUTBOX_BACKLOG = Gauge(
    "patronage_outbox_backlog", "Outbox rows not yet published", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "patronage_outbox_oldest_unpublished_seconds",
    "Age of the oldest unpublished outbox row (0 when none is waiting)", ["service"],
)
DLQ_MESSAGES = Gauge(
    "patronage_dlq_messages", "Dead letters kept on the group's <group>.dlq topic", ["group"]
)
DLQ_UNREPLAYED = Gauge(
    "patronage_dlq_unreplayed", "Dead letters `patronage dlq replay` has not re-driven yet",
    ["group"],
)
FIGURES_SAMPLED = Gauge(
    "patronage_figures_sampled_timestamp_seconds",
    "When the gauges above were last sampled (a stale value means the sampler is failing)",
    ["service"],
)
