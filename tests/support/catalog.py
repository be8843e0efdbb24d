"""Checking a payload as it left a producer against the event catalog twice over: the
pydantic model consumers parse it with, and the exported JSON Schema in docs/events/schemas
that consumers outside this code base read."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

import orjson
from jsonschema import Draft202012Validator

from shared.events.envelope import Event
from shared.events.schema_export import DOCS_DIR

E = TypeVar("E", bound=Event)


@cache
def published_schema(ce_type: str) -> dict[str, Any]:
    return orjson.loads((DOCS_DIR / "schemas" / f"{ce_type}.json").read_bytes())


def validated(event_class: type[E], payload: bytes) -> E:
    """The event the payload spells, after the exported JSON Schema accepted it too
    (`jsonschema.ValidationError` otherwise; formats such as uuid are checked)."""
    validator = Draft202012Validator(published_schema(event_class.ce_type()),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator.validate(orjson.loads(payload))
    return event_class.model_validate_json(payload)
