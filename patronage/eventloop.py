"""One way to run a coroutine as a process's main: on uvloop where it is installed (it is,
through `uvicorn[standard]`, everywhere but Windows), on asyncio's own loop otherwise.

uvloop roughly halves the event loop's share of each request and each Kafka round trip;
the services spend a good part of their CPU there (see docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - platforms without uvloop
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def freeze_startup_objects() -> int:
    """Move every object alive now to the collector's permanent generation; how many.

    Called once a service has started: its modules, pydantic and SQLAlchemy models, routes
    and pools live as long as the process, yet every full collection walked all of them
    again. Frozen, they are never scanned; the garbage of requests and batches still is.
    Measured on tiering's consumer draining `PurchaseCompleted`: 99.7 → 64.0 and
    105.7 → 69.5 µs of CPU per event (docs/benchmarks.md, round two); a larger first
    generation on top changed nothing."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
