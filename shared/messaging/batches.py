"""Batch handlers: a service applies all of a fetched batch's new events of one type at once.

Per-event handlers pay a few statements per event; at hundreds of events per batch that is
the consumer's whole cost. A service opts in per event type by wiring `batch(apply)`
instead of a per-event handler. `apply(events, uow)` gets the new (claimed, not duplicate)
events of that type in delivery order and must leave the same state, and emit the same
events in the same order per member, as applying them one at a time would.

The contract of the engine does not change: a `BatchHandler` is also an ordinary handler
(a one-event batch), which is how the engine's isolated path runs it when a batch fails,
so retries and dead letters stay per event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

from shared.db.unit_of_work import UnitOfWork
from shared.events.envelope import Event

BatchApply = Callable[[Sequence[Event], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class BatchHandler:
    apply: BatchApply

    async def __call__(self, event: Event, uow: UnitOfWork) -> None:
        await self.apply([event], uow)


def batch(apply: BatchApply) -> BatchHandler:
    """Wire `apply` as the batch handler of an event type: `{Event: [batch(apply)]}`."""
    return BatchHandler(apply)


def is_batched(handlers: Sequence[object]) -> bool:
    return bool(handlers) and all(isinstance(h, BatchHandler) for h in handlers)


def in_waves(events: Sequence[Event], batched: Callable[[type[Event]], bool]
             ) -> Iterator[list[Event]]:
    """Groups to apply one after the other, without reordering any member's events.

    A group is either one event of a type handled per event, or events of one batched type:
    an event joins the group of its type only if none of its member's earlier events is
    left waiting (then it waits too). So with one type in the batch there is one group."""
    pending = list(events)
    while pending:
        kind = type(pending[0])
        if not batched(kind):
            yield pending[:1]
            pending = pending[1:]
            continue
        group: list[Event] = []
        waiting: list[Event] = []
        blocked: set[str] = set()
        for event in pending:
            if type(event) is kind and event.member_id not in blocked:
                group.append(event)
            else:
                waiting.append(event)
                blocked.add(event.member_id)
        yield group
        pending = waiting
