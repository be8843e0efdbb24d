"""A test-only event in two versions, to prove dual production without a real `v2`.

`ProbeNoted.v1` carried the amount as a plain number; `v2` (the breaking change) carries
money as amount plus currency. `to_v1` is what a producer's module would register for the
announced period; `ProbeNoted` is produced by the probe service (topic `probe.events`).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from shared.events.dual_production import DualProduction
from shared.events.envelope import Currency, EntityId, Event, MinorUnits


class ProbeNotedV1(Event):
    event_type: ClassVar[str] = "ProbeNoted"
    event_version: ClassVar[int] = 1
    producer_name: ClassVar[str] = "probe"

    note_id: EntityId
    amount: MinorUnits


class ProbeNotedV2(Event):
    event_type: ClassVar[str] = "ProbeNoted"
    event_version: ClassVar[int] = 2
    producer_name: ClassVar[str] = "probe"

    note_id: EntityId
    amount: MinorUnits
    currency: Currency


def to_v1(event: Event) -> ProbeNotedV1:
    assert isinstance(event, ProbeNotedV2)
    return ProbeNotedV1(occurred_at=event.occurred_at, member_id=event.member_id,
                        note_id=event.note_id, amount=event.amount)


def probe_noted_until(until: date) -> DualProduction:
    return DualProduction(ProbeNotedV2, ProbeNotedV1, until, to_v1)
