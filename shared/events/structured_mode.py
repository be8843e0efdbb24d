"""CloudEvents 1.0 JSON (structured content mode): one event as one JSON object.

What Kafka carries in binary mode (`ce_*` headers and the value, cloudevents.py) is turned
into the attributes and `data` of one object, the form an export file (`patronage events
export`) holds one a line. The mapping is mechanical so a subscriber can compare: a message
read from Kafka and the exported line of the same event give equal objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

CE_PREFIX = "ce_"


def structured_event(headers: Mapping[str, str], value: bytes) -> dict[str, Any]:
    """`ce_<attribute>` headers become `<attribute>`, `content-type` becomes
    `datacontenttype`, and the value (JSON) becomes `data`."""
    event: dict[str, Any] = {}
    for name, text in headers.items():
        if name.startswith(CE_PREFIX):
            event[name.removeprefix(CE_PREFIX)] = text
        elif name == "content-type":
            event["datacontenttype"] = text
    event["data"] = orjson.loads(value)
    return event


def from_kafka_headers(headers: Any, value: bytes) -> dict[str, Any]:
    """`structured_event` of a Kafka record's (name, bytes) headers (the last of repeats wins,
    as cloudevents.header_value reads them)."""
    return structured_event({name: raw.decode() for name, raw in headers}, value)
