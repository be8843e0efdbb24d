"""Consumer lag and dead letters read from the services' Prometheus text (`/metrics`,
docs/operations.md "Metrics"): `patronage_consumer_lag{group,topic}` and
`patronage_dlq_messages{group}`. The dashboard shows each group's
lag summed over its topics."""

from __future__ import annotations

import re
from collections.abc import Iterable

SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?\s+(?P<value>\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(text: str, name: str) -> Iterable[tuple[dict[str, str], float]]:
    """Each sample of the metric `name`: its labels and value (comments and other metrics
    skipped; a value that is not a number is skipped too)."""
    for line in text.splitlines():
        found = SAMPLE.match(line)
        if not found or found["name"] != name:
            continue
        try:
            value = float(found["value"])
        except ValueError:
            continue
        yield dict(LABEL.findall(found["labels"] or "")), value


def by_group(texts: Iterable[str], name: str) -> dict[str, int]:
    """The metric per consumer group, summed over its topics. A gauge read from several
    services' texts (replicas, or services sharing one process and registry) is taken at
    its largest per group and topic, as operations.md says to aggregate gauges: never added."""
    largest: dict[tuple[str, str], float] = {}
    for text in texts:
        for labels, value in samples(text, name):
            if group := labels.get("group"):
                key = (group, labels.get("topic", ""))
                largest[key] = max(largest.get(key, value), value)
    totals: dict[str, int] = {}
    for (group, _), value in sorted(largest.items()):
        totals[group] = totals.get(group, 0) + int(value)
    return totals


def consumer_lag(texts: Iterable[str]) -> dict[str, int]:
    return by_group(texts, "patronage_consumer_lag")


def dead_letters(texts: Iterable[str]) -> dict[str, int]:
    return by_group(texts, "patronage_dlq_messages")
