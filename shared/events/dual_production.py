"""Dual production: publishing `vN+1` of an event while `vN` is still produced.

When an event changes incompatibly (the evolution guard refuses the change within `vN`),
the producer is moved to the `vN+1` class and a `DualProduction` is registered here for
the announced period. Every outbox write of a `vN+1` event then also writes the `vN` copy
(`to_older` derives it), in the same statement, so both versions exist or neither does;
the relay publishes them one after the other on the same topic and key, so a subscriber
of either version keeps its per-member order. From the day after `until` (by the event's
`occurred_at`) only `vN+1` is written.

The `vN` copy's `event_id` is derived from the `vN+1`'s (`older_copy_id`), so:
- both are distinct CloudEvents (each `ce_id` is unique), and replaying an outbox row
  gives the same ids again;
- a consumer inside the platform that handles both versions claims both under the same
  id in its inbox (`claim_id`): whichever arrives first is applied, the other is a
  duplicate. A `vN` event written before dual production began has no `vN+1` twin and
  is claimed under its own id, so nothing from before the switch is skipped.

docs/events/README.md, "Versioning", is the procedure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from shared.events.envelope import Event

# Fixed forever: changing it would change the ids of every copy already published.
COPY_NAMESPACE = UUID("6f1c2a7e-3b9d-4f15-9a41-0d3c5e8b2f60")


@dataclass(frozen=True)
class DualProduction:
    """`newer` (vN+1) is what the producer emits; `older` (vN) is also written until
    `until` (inclusive, UTC days of `occurred_at`), derived by `to_older`."""

    newer: type[Event]
    older: type[Event]
    until: date
    to_older: Callable[[Event], Event]

    def __post_init__(self) -> None:
        if (self.newer.event_type, self.newer.producer_name) != (
                self.older.event_type, self.older.producer_name):
            raise ValueError("dual production pairs two versions of one event")
        if self.newer.event_version != self.older.event_version + 1:
            raise ValueError("dual production pairs vN+1 with vN")

    def produces_older(self, event: Event) -> bool:
        return event.occurred_at.date() <= self.until


# Empty while no event is between two versions. A registration looks like
#   DualProduction(RechargeCompletedV2, RechargeCompleted, date(2027, 6, 30), to_v1)
# with `to_v1(event) -> RechargeCompleted` in the producer's module of shared/events.
DUAL_PRODUCTIONS: tuple[DualProduction, ...] = ()


def _registered(registry: Sequence[DualProduction] | None) -> Sequence[DualProduction]:
    # Read at call time, so a test can register a test-only pair on the module.
    return DUAL_PRODUCTIONS if registry is None else registry


def older_copy_id(newer_id: UUID, older_version: int) -> UUID:
    return uuid5(COPY_NAMESPACE, f"{newer_id}:v{older_version}")


def _pair_of(kind: type[Event], registry: Sequence[DualProduction]) -> DualProduction | None:
    return next((pair for pair in registry if pair.newer is kind), None)


def with_older_versions(events: Iterable[Event],
                        registry: Sequence[DualProduction] | None = None) -> Iterator[Event]:
    """Each event, followed by its `vN` copy while its dual production lasts."""
    pairs = _registered(registry)
    for event in events:
        yield event
        pair = _pair_of(type(event), pairs)
        if pair is not None and pair.produces_older(event):
            older = pair.to_older(event)
            if type(older) is not pair.older:
                raise TypeError(f"to_older gave {type(older).__name__}, not {pair.older}")
            yield older.model_copy(update={  # one fact: the same envelope, a derived id
                "event_id": older_copy_id(event.event_id, pair.older.event_version),
                "occurred_at": event.occurred_at, "member_id": event.member_id,
                "correlation_id": event.correlation_id, "causation_id": event.causation_id})


def claim_id(event: Event, registry: Sequence[DualProduction] | None = None) -> UUID:
    """The id a consumer's inbox claims for `event`: a `vN+1` event and its `vN` copy
    share one, so a consumer handling both applies the fact once."""
    pairs = _registered(registry)
    if not pairs:  # no dual production (nearly always): no search, per event of a batch
        return event.event_id
    pair = _pair_of(type(event), pairs)
    if pair is None:
        return event.event_id
    return older_copy_id(event.event_id, pair.older.event_version)
