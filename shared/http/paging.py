"""Keyset paging for every list: `limit` (default 50, max 200) and an opaque `cursor`
carrying the last row's sort key; responses are `{"items": [...], "next_cursor": ...}`.

A route fetches `limit + 1` rows ordered by its key, then `page(rows, limit, key_of)`:
the extra row only says whether there is a next page. The cursor is base64 of the key as
JSON, so a client cannot build one by accident and a tampered one is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel, Field

from shared.http.moments import moment_or_none
from shared.http.problems import Problem

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (default 50, max 200).")]
Cursor = Annotated[str | None, Query(max_length=500,
                                     description="`next_cursor` of the previous page.")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None,
                                    description="Pass as `cursor` for the next page.")


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The key the cursor carries (None on the first page); 400 `invalid_cursor` for one
    this API did not give out."""
    if cursor is None:
        return None
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as error:
        raise invalid_cursor() from error
    if not isinstance(key, list) or len(key) != arity:
        raise invalid_cursor()
    return key


def cursor_moment(value: object) -> datetime:
    """A moment a cursor carries; 400 `invalid_cursor` for anything this API would not have
    written there (not ISO 8601, no offset, outside shared/http/moments.py's range)."""
    moment = moment_or_none(value)
    if moment is None:
        raise invalid_cursor()
    return moment


def invalid_cursor() -> Problem:
    return Problem(400, "invalid_cursor", "The cursor is not one this API gave out.")


def page(rows: Sequence[T], limit: int, key_of: Callable[[T], Sequence[Any]]) -> dict:
    """`{"items", "next_cursor"}` from up to `limit + 1` rows fetched in key order."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(key_of(items[-1])) if more else None}
