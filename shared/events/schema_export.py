"""The catalog published for other systems: a JSON Schema per event and an AsyncAPI 3.0
document of the topics, generated from the event classes so they cannot disagree.

Run `python -m shared.events.schema_export` after changing an event; a unit test fails
while the committed files in `docs/events/` differ from what this module generates. The
committed schemas are the published ones: this module refuses (exit 1) to overwrite one
with a change that breaks its subscribers (`evolution.py`), or to drop one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from shared.events.catalog import CATALOG
from shared.events.cloudevents import CONTENT_TYPE, SPEC_VERSION
from shared.events.envelope import Event
from shared.events.evolution import breaking_changes
from shared.topics import SERVICES, Topics

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs" / "events"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING_VERSION = "0.5.0"

Schema = dict[str, Any]


def _pin_class_facts(schema: Schema, cls: type[Event]) -> Schema:
    """Name, version and producer are fixed per class; say so, and say event_id is always
    there (it has a default in Python, but every message carries it)."""
    properties = schema["properties"]
    properties["type"] = {**properties["type"], "const": cls.event_type}
    properties["version"] = {**properties["version"], "const": cls.event_version}
    properties["producer"] = {**properties["producer"], "const": cls.producer_name}
    schema["required"] = ["event_id", *schema["required"]]
    return schema


def event_json_schema(cls: type[Event]) -> Schema:
    """A standalone JSON Schema (draft 2020-12) of one event's message value."""
    schema = _pin_class_facts(cls.model_json_schema(mode="serialization"), cls)
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": f"urn:patronage:event:{cls.ce_type()}",
            **schema}


CLOUDEVENT_HEADERS: Schema = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka binary-mode attributes, UTF-8 header values.",
    "required": ["ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "ce_subject",
                 "content-type"],
    "properties": {
        "ce_id": {"type": "string", "format": "uuid",
                  "description": "The event_id: deduplicate on it."},
        "ce_type": {"type": "string", "pattern": r"^patronage\.[a-z]+\.[A-Za-z]+\.v[0-9]+$",
                    "description": "patronage.<producer>.<EventName>.v<version>."},
        "ce_source": {"type": "string", "description": "/patronage/<producer> by default."},
        "ce_specversion": {"const": SPEC_VERSION},
        "ce_time": {"type": "string", "format": "date-time",
                    "description": "occurred_at, RFC 3339 in UTC."},
        "ce_subject": {"type": "string", "description": "The member id, as the key."},
        "content-type": {"const": CONTENT_TYPE},
        "ce_correlationid": {"type": "string", "format": "uuid",
                             "description": "Extension: correlation_id, when set."},
        "ce_causationid": {"type": "string", "format": "uuid",
                           "description": "Extension: causation_id, when set."},
        "ce_traceparent": {"type": "string",
                           "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                           "description": "Distributed-tracing extension: the W3C "
                                          "traceparent of the span that emitted the event, "
                                          "when there is one."},
        "ce_tracestate": {"type": "string",
                          "description": "Distributed-tracing extension: W3C tracestate, "
                                         "when the trace has one."},
    },
}


def _summary(cls: type) -> str:
    return " ".join((cls.__doc__ or cls.__name__).split("\n\n")[0].split())


def _message(cls: type[Event]) -> Schema:
    return {
        "name": cls.event_type,
        "title": cls.ce_type(),
        "summary": _summary(cls),
        "contentType": CONTENT_TYPE,
        "headers": {"allOf": [
            {"$ref": "#/components/schemas/CloudEventHeaders"},
            {"type": "object", "properties": {"ce_type": {"const": cls.ce_type()}}},
        ]},
        "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
        "correlationId": {"$ref": "#/components/correlationIds/byCorrelationId"},
        "bindings": {"kafka": {
            "key": {"type": "string", "description": "The member id (= ce_subject)."},
            "bindingVersion": KAFKA_BINDING_VERSION,
        }},
    }


def _channel_id(producer: str) -> str:
    return f"{producer}Events"


def _channels_and_operations(topics: Topics) -> tuple[Schema, Schema]:
    channels: Schema = {}
    operations: Schema = {}
    for producer in SERVICES:
        events = [cls for cls in CATALOG if cls.producer_name == producer]
        channel_id = _channel_id(producer)
        channels[channel_id] = {
            "address": topics.events(producer),
            "description": f"Every event the {producer} service publishes, keyed by member.",
            "messages": {c.__name__: {"$ref": f"#/components/messages/{c.__name__}"}
                         for c in events},
            "bindings": {"kafka": {"topic": topics.events(producer),
                                   "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"send{producer.capitalize()}Events"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{c.__name__}"}
                         for c in events],
        }
    return channels, operations


def _component_schemas() -> Schema:
    _, document = models_json_schema([(cls, "serialization") for cls in CATALOG],
                                     ref_template="#/components/schemas/{model}")
    schemas: Schema = document["$defs"]
    for cls in CATALOG:
        _pin_class_facts(schemas[cls.__name__], cls)
    return {"CloudEventHeaders": CLOUDEVENT_HEADERS, **schemas}


def asyncapi_document(topics: Topics = Topics()) -> Schema:
    channels, operations = _channels_and_operations(topics)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Patronage events",
            "version": "1.0.0",
            "description": "Events of the Patronage membership and stored-value platform. "
                           "Values are JSON; attributes are CloudEvents 1.0 binary-mode "
                           "headers; the key is the member id. See docs/events/README.md.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": _component_schemas(),
            "messages": {cls.__name__: _message(cls) for cls in CATALOG},
            "correlationIds": {"byCorrelationId": {
                "description": "The event_id that started the chain of causes.",
                "location": "$message.header#/ce_correlationid",
            }},
        },
    }


def _as_text(document: Schema) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generated_docs() -> dict[str, str]:
    """Every generated file, by path relative to `docs/events/`."""
    files = {"asyncapi.json": _as_text(asyncapi_document())}
    for cls in CATALOG:
        files[f"schemas/{cls.ce_type()}.json"] = _as_text(event_json_schema(cls))
    return files


def guard_findings(docs_dir: Path = DOCS_DIR) -> list[str]:
    """What regenerating would break for subscribers: a published schema changed
    incompatibly within its version, or one no event class produces any more."""
    files = generated_docs()
    findings = []
    for published in sorted((docs_dir / "schemas").glob("*.json")):
        relative = f"schemas/{published.name}"
        if relative not in files:
            findings.append(f"{published.stem}: published, but no event in the catalog produces "
                            f"it any more; retire it as docs/events/README.md (Versioning) says")
            continue
        changes = breaking_changes(json.loads(published.read_text(encoding="utf-8")),
                                   json.loads(files[relative]))
        findings += [f"{published.stem} {change}" for change in changes]
    return findings


def main(docs_dir: Path = DOCS_DIR) -> int:
    findings = guard_findings(docs_dir)
    if findings:
        print("Refusing to publish changes that break subscribers of a released version:",
              *(f"  - {finding}" for finding in findings),
              "Publish them as a new version instead: a class with event_version = N+1 "
              "beside vN, registered in shared/events/dual_production.py so vN is still "
              "produced for the announced period (docs/events/README.md, Versioning).",
              sep="\n", file=sys.stderr)
        return 1
    (docs_dir / "schemas").mkdir(parents=True, exist_ok=True)
    for relative, text in generated_docs().items():
        (docs_dir / relative).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
