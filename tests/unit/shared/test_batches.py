"""Grouping a batch for batch handlers never reorders one member's events."""

from dataclasses import dataclass, field
from itertools import count

from shared.messaging.batches import in_waves

_numbers = count()


@dataclass(frozen=True)
class Bought:
    member_id: str
    n: int = field(default_factory=lambda: next(_numbers))


@dataclass(frozen=True)
class Refunded:
    member_id: str
    n: int = field(default_factory=lambda: next(_numbers))


def waves(events, batched=(Bought,)):
    return list(in_waves(events, lambda kind: kind in batched))


def test_one_batched_type_is_one_group_in_delivery_order():
    events = [Bought("m1"), Bought("m2"), Bought("m1"), Bought("m3")]
    assert waves(events) == [events]


def test_an_event_handled_one_by_one_is_its_own_group():
    a, b, c = Refunded("m1"), Refunded("m2"), Bought("m3")
    assert waves([a, b, c]) == [[a], [b], [c]]


def test_a_members_later_purchase_waits_for_its_earlier_refund():
    first, refund, after_refund = Bought("m1"), Refunded("m1"), Bought("m1")
    other, other_later = Bought("m2"), Bought("m2")
    result = waves([first, other, refund, after_refund, other_later])
    assert result == [[first, other, other_later], [refund], [after_refund]]


def test_every_member_keeps_its_order_across_groups():
    events = [kind(f"m{i % 3}") for i, kind in
              enumerate([Bought, Refunded, Bought, Bought, Refunded, Refunded, Bought, Bought] * 3)]
    flattened = [event for group in waves(events) for event in group]
    assert sorted(flattened, key=lambda e: e.n) == events
    for member in ("m0", "m1", "m2"):
        assert ([e for e in flattened if e.member_id == member]
                == [e for e in events if e.member_id == member])
    for group in waves(events):
        assert len({type(e) for e in group}) == 1
