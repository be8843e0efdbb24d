"""Idempotency keys with Stripe's semantics, inside the business transaction.

- same key, same body        -> the first response, replayed (status and body);
- same key, different body   -> 422 `idempotency_key_reused`;
- same key while the first request is still running -> 409 `request_in_progress` with
  `Retry-After`.

How: the first statement of the transaction takes a transaction-scoped advisory lock on
(scope, key) without waiting. Holding it, we look for a stored response; if there is none
we run the request and store its response in the same transaction, so a key's response
exists if and only if the request's effects committed. Keys are kept `RETENTION` (at least
seven days) and pruned by `prune_expired`.

Routes use `idempotent_post`; the wallet's recharge hot path does the same steps inside
its stored function (one round trip), on the same table and the same `lock_id`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, Table, Text, func, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from shared.http.auth import Principal
from shared.http.problems import Problem

RETENTION = timedelta(days=8)

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Required. Same key + same body replays "
           "the first response; a different body is refused with 422; a concurrent duplicate "
           "gets 409 request_in_progress. Keys are kept at least 7 days."),
]
MAX_KEY_LENGTH = 255


def define_idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("request_hash", LargeBinary, nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes


def request_fingerprint(body: Any) -> bytes:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).digest()


def lock_id(scope: str, key: str) -> int:
    """The signed 64-bit advisory-lock id of (scope, key); also used by hot paths that take
    the lock, look up and store the key inside one stored function."""
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def require_key(key: str | None) -> str:
    if not key:
        raise Problem(400, "idempotency_key_missing",
                      "Money-moving requests need an Idempotency-Key header.")
    if len(key) > MAX_KEY_LENGTH:
        raise Problem(400, "idempotency_key_invalid",
                      f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters.")
    return key


LOCK = "SELECT pg_try_advisory_xact_lock(:lock_key)"
FIND = "SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = :scope AND key = :key"
STORE = """INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
           VALUES (:scope, :key, :hash, :status, :response)"""


async def replay_or_claim(
    connection: AsyncConnection, scope: str, key: str, fingerprint: bytes
) -> StoredResponse | None:
    """The stored response to replay, or None when this request should run now."""
    params = {"scope": scope, "key": key}
    if not (await connection.execute(text(LOCK), {"lock_key": lock_id(scope, key)})).scalar():
        raise Problem(409, "request_in_progress",
                      "A request with this Idempotency-Key is still being processed.",
                      headers={"Retry-After": "1"})
    row = (await connection.execute(text(FIND), params)).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Problem(422, "idempotency_key_reused",
                      "This Idempotency-Key was used with a different request body.")
    return StoredResponse(row.status_code, row.response)


async def remember(
    connection: AsyncConnection, scope: str, key: str, fingerprint: bytes,
    status_code: int, body: bytes,
) -> None:
    await connection.execute(text(STORE), {"scope": scope, "key": key, "hash": fingerprint,
                                           "status": status_code, "response": body})


async def prune_expired(connection: AsyncConnection, now: datetime) -> int:
    result = await connection.execute(
        text("DELETE FROM idempotency_keys WHERE created_at < :cutoff"),
        {"cutoff": now - RETENTION},
    )
    return result.rowcount


def replay(stored: StoredResponse) -> Response:
    return Response(stored.body, stored.status_code, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


async def idempotent_post(
    uow_factory: UnitOfWorkFactory, caller: Principal, route: str, key: str | None,
    body: BaseModel | dict, work: Callable[[UnitOfWork], Awaitable[BaseModel | dict]],
    status: int = 201,
) -> Response:
    """Run `work` once per (caller, route, key): its effects, its events and the stored
    response commit together, so a replay returns exactly what the first call returned.
    A refusal (`RuleViolation`, `Problem`) rolls everything back and stores nothing, so
    the same key may be retried once the cause is fixed."""
    key = require_key(key)
    scope = f"{caller.identity} {route}"
    fingerprint = request_fingerprint(
        body.model_dump(mode="json") if isinstance(body, BaseModel) else body)
    async with uow_factory() as uow:
        stored = await replay_or_claim(uow.connection, scope, key, fingerprint)
        if stored is not None:
            return replay(stored)
        result = await work(uow)
        payload = orjson.dumps(
            result.model_dump(mode="json") if isinstance(result, BaseModel) else result)
        await remember(uow.connection, scope, key, fingerprint, status, payload)
    return Response(payload, status, media_type="application/json")
