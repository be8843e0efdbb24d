"""`patronage events export`'s arguments: moments need an offset, lists may be repeated or
comma-separated, and the structured form of a message is the one the export writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import typer

from patronage.events_command import _listed, moment
from shared.events.cloudevents import to_kafka_headers
from shared.events.structured_mode import from_kafka_headers
from shared.events.wallet import WalletUnfrozen


def test_a_day_is_midnight_utc_and_a_moment_keeps_its_offset():
    assert moment("2027-01-15") == datetime(2027, 1, 15, tzinfo=UTC)
    assert moment("2027-01-15T08:00:00+08:00") == datetime(
        2027, 1, 15, 8, tzinfo=timezone(timedelta(hours=8)))
    assert moment("2027-01-15T00:00:00Z") == datetime(2027, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2027-01-15T08:00:00", "yesterday", "2027-13-01"])
def test_a_moment_without_offset_or_not_a_moment_is_refused(text):
    with pytest.raises(typer.BadParameter):
        moment(text)


def test_lists_may_be_repeated_or_comma_separated():
    assert _listed(["A,B", " C ", ""]) == ["A", "B", "C"]
    assert _listed(None) is None and _listed([]) is None


def test_a_message_in_structured_mode_has_attributes_and_data():
    event = WalletUnfrozen(occurred_at=datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC), member_id="m1",
                           actor="ops_alice", reason="checked")
    structured = from_kafka_headers(to_kafka_headers(event), event.to_json())
    assert {k: v for k, v in structured.items() if k != "data"} == {
        "id": str(event.event_id), "type": "patronage.wallet.WalletUnfrozen.v1",
        "source": "/patronage/wallet", "specversion": "1.0", "time": "2027-01-02T03:04:05Z",
        "subject": "m1", "datacontenttype": "application/json"}
    assert structured["data"]["reason"] == "checked" and structured["data"]["member_id"] == "m1"
