"""Structured logging: key/value events, with event and correlation ids bound per message.

`structlog.contextvars` carries `event_id`, `correlation_id` and `member_id` through a
handler's awaits, so every line a handler logs says which event it was handling.
"""

from __future__ import annotations

import logging as stdlib_logging

import structlog


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            stdlib_logging.getLevelNamesMapping()[level.upper()]
        ),
        cache_logger_on_first_use=True,
    )
    stdlib_logging.basicConfig(level=level.upper(), format="%(message)s")
    for noisy in ("aiokafka", "kafka"):
        stdlib_logging.getLogger(noisy).setLevel(stdlib_logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
