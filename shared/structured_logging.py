"""Structured logging: key/value events, with event and correlation ids bound per message.

`structlog.contextvars` carries `event_id`, `correlation_id` and `member_id` through a
handler's awaits, so every line a handler logs says which event it was handling.

Third-party libraries log through the standard library (aiokafka, kafka, uvicorn, asyncpg);
their records go through the same processors and renderer as ours, so a service's log is
one JSON line per record whoever wrote it. During a broker outage aiokafka repeats the
same line hundreds of times a second: identical records (same logger, level and message)
are written at most once per `repeat_window` seconds, and the next one that gets through
carries `suppressed`, the number left out in between.
"""

from __future__ import annotations

import logging as stdlib_logging
import sys
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TextIO

import structlog

REPEAT_WINDOW_SECONDS = 10.0
# Past this many distinct recent records the oldest are forgotten (memory stays bounded).
MAX_REMEMBERED = 10_000


class RepeatLimiter:
    """At most one record per key per window; counts what it held back."""

    def __init__(self, window: float = REPEAT_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self._last: dict[Hashable, tuple[float, int]] = {}  # key -> (written at, suppressed)
        self._lock = threading.Lock()

    def admit(self, key: Hashable) -> int | None:
        """None to drop the record; otherwise how many identical ones were dropped since
        the last that was written."""
        now = self.clock()
        with self._lock:
            written_at, suppressed = self._last.get(key, (None, 0))
            if written_at is not None and now - written_at < self.window:
                self._last[key] = (written_at, suppressed + 1)
                return None
            if len(self._last) >= MAX_REMEMBERED:
                self._last.clear()
            self._last[key] = (now, 0)
            return suppressed

    def processor(self, _logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        """As a structlog processor, for our own events (before the timestamp is added)."""
        suppressed = self.admit((method, repr(sorted(event.items(), key=lambda kv: kv[0]))))
        if suppressed is None:
            raise structlog.DropEvent
        if suppressed:
            event["suppressed"] = suppressed
        return event


class RepeatFilter(stdlib_logging.Filter):
    """The same limit for the standard library's records (third-party loggers)."""

    def __init__(self, limiter: RepeatLimiter) -> None:
        super().__init__()
        self.limiter = limiter

    def filter(self, record: stdlib_logging.LogRecord) -> bool:
        suppressed = self.limiter.admit((record.name, record.levelno, record.getMessage()))
        if suppressed is None:
            return False
        record.suppressed = suppressed
        return True


def _foreign_fields(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """The logger's name, and the suppressed count the filter put on the record."""
    record = event.get("_record")
    if record is not None:
        event["logger"] = record.name
        if getattr(record, "suppressed", 0):
            event["suppressed"] = record.suppressed
    return event


def configure_logging(level: str = "INFO", *, json: bool = True,
                      repeat_window: float = REPEAT_WINDOW_SECONDS,
                      clock: Callable[[], float] = time.monotonic,
                      stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    limiter = RepeatLimiter(repeat_window, clock)
    stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            limiter.processor,
            stamp,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            stdlib_logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    handler = stdlib_logging.StreamHandler(stream)
    handler.addFilter(RepeatFilter(limiter))
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.contextvars.merge_contextvars,
                           structlog.processors.add_log_level, _foreign_fields, stamp,
                           structlog.processors.format_exc_info],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    root = stdlib_logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka"):
        stdlib_logging.getLogger(noisy).setLevel(stdlib_logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers (plain text) are not installed: see runtime.http_server.
        stdlib_logging.getLogger(name).handlers.clear()
        stdlib_logging.getLogger(name).propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
