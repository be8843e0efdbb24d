"""One way to run a coroutine as a process's main: on uvloop where it is installed (it is,
through `uvicorn[standard]`, everywhere but Windows), on asyncio's own loop otherwise.

uvloop roughly halves the event loop's share of each request and each Kafka round trip;
the services spend a good part of their CPU there (see docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
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
