"""The JSON Schemas and the AsyncAPI document in docs/events/ are what the code generates:
regenerate them with `python -m shared.events.schema_export` after changing an event."""

from __future__ import annotations

from collections.abc import Iterator

from shared.events.catalog import CATALOG
from shared.events.schema_export import DOCS_DIR, asyncapi_document, event_json_schema, generated_docs
from shared.topics import SERVICES

REGENERATE = "docs/events is stale: run `uv run python -m shared.events.schema_export`"


def test_the_committed_docs_match_the_code():
    expected = generated_docs()
    committed = {
        path.relative_to(DOCS_DIR).as_posix(): path.read_text(encoding="utf-8")
        for path in DOCS_DIR.rglob("*.json")
        if path.relative_to(DOCS_DIR).parts[0] != "retired"  # kept by hand, not generated
    }

    assert committed.keys() == expected.keys(), REGENERATE
    for relative, text in expected.items():
        assert committed[relative] == text, f"{relative}: {REGENERATE}"


def test_each_event_schema_pins_its_name_version_and_producer():
    for cls in CATALOG:
        schema = event_json_schema(cls)
        assert schema["properties"]["type"]["const"] == cls.event_type
        assert schema["properties"]["version"]["const"] == cls.event_version
        assert schema["properties"]["producer"]["const"] == cls.producer_name
        assert "event_id" in schema["required"]


def test_the_asyncapi_document_has_one_channel_per_producer_with_its_events():
    document = asyncapi_document()

    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {f"{service}.events" for service in SERVICES}
    listed = {name for channel in document["channels"].values() for name in channel["messages"]}
    assert listed == {cls.__name__ for cls in CATALOG}
    for cls in CATALOG:
        message = document["components"]["messages"][cls.__name__]
        assert message["headers"]["allOf"][1]["properties"]["ce_type"]["const"] == cls.ce_type()


def references_in(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "$ref" else references_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from references_in(value)


def test_every_reference_in_the_asyncapi_document_resolves():
    document = asyncapi_document()

    for reference in set(references_in(document)):
        node = document
        for key in reference.removeprefix("#/").split("/"):
            assert key in node, f"{reference} does not resolve"
            node = node[key]
