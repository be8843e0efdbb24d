"""Every Kafka topic name, in one map.

A producing service publishes to `<service>.events`; a consumer group dead-letters to
`<group>.dlq`. The prefix lets tests (or several merchants on one cluster) share a broker
without seeing each other's messages.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICES: tuple[str, ...] = ("wallet", "tiering", "rewards", "referral", "notifier")


@dataclass(frozen=True)
class Topics:
    prefix: str = ""

    def events(self, producer: str) -> str:
        return f"{self.prefix}{producer}.events"

    def dlq(self, group: str) -> str:
        return f"{self.prefix}{group}.dlq"

    def all_event_topics(self) -> tuple[str, ...]:
        return tuple(self.events(service) for service in SERVICES)
