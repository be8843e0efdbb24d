"""An outage is two log lines, however many retries it takes."""

from __future__ import annotations

from structlog.testing import capture_logs

from shared.messaging.outage_log import OutageLog


def test_many_failures_then_a_success_are_one_line_each():
    outage = OutageLog("broker_unavailable", "broker_available", component="relay")
    with capture_logs() as logs:
        for _ in range(200):
            outage.failed(ConnectionRefusedError("refused"))
        assert outage.down
        outage.recovered()
        outage.recovered()  # no outage: nothing to say
    loud = [(line["event"], line["log_level"]) for line in logs if line["log_level"] != "debug"]
    assert loud == [("broker_unavailable", "warning"), ("broker_available", "info")]
    assert logs[-1]["failures"] == 200 and not outage.down
