"""Keyset paging for lists: `limit` (default 50, max 200) and an opaque `cursor` that
carries the last row's sort key."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import orjson
from fastapi import Query

from shared.http.problems import Problem

Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=500, description="From the previous page.")]


def encode_cursor(key: list) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode()


def decode_cursor(cursor: str | None, arity: int) -> list | None:
    if cursor is None:
        return None
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as error:
        raise Problem(400, "invalid_cursor", "The cursor is not one this API gave out.") from error
    if not isinstance(key, list) or len(key) != arity:
        raise Problem(400, "invalid_cursor", "The cursor is not one this API gave out.")
    return key


def page(rows: list[dict], limit: int, key_of) -> dict:
    more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_cursor(key_of(items[-1])) if more else None}
