"""Third-party loggers write the same JSON lines as ours, and a record repeated by the
hundred (aiokafka during a broker outage) is written once per window with a count."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from shared.structured_logging import RepeatLimiter, configure_logging


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def clock(output) -> Iterator[FakeClock]:
    """Logging configured as a service does it, writing into `output`; restored after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    fake = FakeClock()
    configure_logging("INFO", json=True, repeat_window=10.0, clock=fake, stream=output)
    try:
        yield fake
    finally:
        root.handlers[:], root.level = saved
        structlog.reset_defaults()


def lines(output: io.StringIO) -> list[dict]:
    """The lines written since the last call."""
    text = output.getvalue()
    output.seek(0)
    output.truncate()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_third_party_records_are_json_lines_like_ours(clock, output):
    structlog.get_logger("test").info("service_started", service="wallet")
    logging.getLogger("aiokafka.conn").error("Unable connect to %r: %s", "node-1", "refused")
    logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")

    ours, kafka, uvicorn = lines(output)
    assert ours["event"] == "service_started" and ours["level"] == "info"
    assert kafka == {"event": "Unable connect to 'node-1': refused", "level": "error",
                     "logger": "aiokafka.conn", "timestamp": kafka["timestamp"]}
    assert uvicorn["logger"] == "uvicorn.error" and uvicorn["level"] == "warning"


def test_a_record_repeated_700_times_is_written_once_per_window_with_a_count(clock, output):
    kafka = logging.getLogger("aiokafka")
    for _ in range(700):
        kafka.error("Unable to update metadata from [1]")
    kafka.error("Topic t is not available")
    first = lines(output)
    clock.now += 10.0
    kafka.error("Unable to update metadata from [1]")
    later = lines(output)

    assert [line["event"] for line in first] == ["Unable to update metadata from [1]",
                                                "Topic t is not available"]
    assert "suppressed" not in first[0]
    assert [(line["event"], line["suppressed"]) for line in later] == [
        ("Unable to update metadata from [1]", 699)]


def test_our_own_identical_events_are_limited_the_same_way_and_different_ones_are_not(clock, output):
    log = structlog.get_logger("test")
    for service in ("wallet", "tiering", "wallet", "wallet"):
        log.warning("relay_publish_failed", service=service)
    clock.now += 11.0
    log.warning("relay_publish_failed", service="wallet")

    assert [(line["service"], line.get("suppressed")) for line in lines(output)] == [
        ("wallet", None), ("tiering", None), ("wallet", 2)]


def test_the_limiter_forgets_nothing_within_a_window_and_admits_after_it():
    fake = FakeClock()
    limiter = RepeatLimiter(window=5.0, clock=fake)
    assert limiter.admit("k") == 0
    assert [limiter.admit("k") for _ in range(3)] == [None, None, None]
    fake.now += 4.9
    assert limiter.admit("k") is None
    fake.now += 0.1
    assert limiter.admit("k") == 4
    assert limiter.admit("other") == 0
