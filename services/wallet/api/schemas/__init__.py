"""The wallet's HTTP bodies, one module per router; `fields` holds the field types they share.

store/ returns what a write made as plain fields (it never imports the HTTP layer);
`receipt` turns them into the route's response body."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from pydantic import BaseModel

ReceiptModel = TypeVar("ReceiptModel", bound=BaseModel)


async def receipt(model: type[ReceiptModel], fields: Awaitable[dict]) -> ReceiptModel:
    return model.model_validate(await fields)
