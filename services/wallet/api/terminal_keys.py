"""The terminal-key registry for ops (scope `ops:terminals`): issue a POS terminal a key,
list the keys, read one with its audit, revoke one, rotate one with an overlap.

Issuing and rotating take no Idempotency-Key on purpose: a replayed response would have to
be stored with the key in it, and the registry keeps only its SHA-256. A retried issue
makes a second key, which the list shows and ops can revoke; a retried revocation is
409 `key_revoked`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from services.wallet.api.schemas import receipt
from services.wallet.api.schemas.terminal_keys import (
    AuditedKey,
    IssuedKey,
    IssueKeyRequest,
    RevokeKeyRequest,
    RotatedKey,
    RotateKeyRequest,
    TerminalKey,
)
from services.wallet.settings import WalletSettings
from services.wallet.store import terminal_keys
from shared.http.auth import Caller, require_scope
from shared.http.ids import Id
from shared.http.ids import PathId as KeyId
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

TERMINALS_SCOPE = "ops:terminals"


def terminal_keys_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/ops/terminals/keys", tags=["ops"],
                       responses=PROBLEM_RESPONSES)
    secret = context.platform.jwt_secret

    @router.post("", status_code=201, response_model=IssuedKey,
                 summary="Issue a POS terminal a key (ops:terminals); emits TerminalKeyIssued",
                 description="The response holds the key, shown this once; the registry keeps "
                 "only its SHA-256 and its `key_id`.")
    async def issue(body: IssueKeyRequest, caller: Caller) -> IssuedKey:
        require_scope(caller, TERMINALS_SCOPE)
        async with context.uow() as uow:
            return await receipt(IssuedKey, terminal_keys.issue(
                uow, secret, store_id=body.store_id, terminal_id=body.terminal_id,
                extra_stores=frozenset(body.extra_stores) - {body.store_id},
                lifetime=timedelta(days=body.valid_days), actor=caller.identity,
                reason=body.reason))

    @router.get("", response_model=Page[TerminalKey],
                summary="The registry's keys, newest first (ops:terminals); never a key")
    async def list_keys(caller: Caller, store_id: Annotated[Id | None, Query()] = None,
                        terminal_id: Annotated[Id | None, Query()] = None,
                        limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, TERMINALS_SCOPE)
        key = decode_cursor(cursor, 2)
        after = None if key is None else (cursor_moment(key[0]), str(key[1]))
        async with context.engine.connect() as db:
            rows = await terminal_keys.listed(db, store_id=store_id, terminal_id=terminal_id,
                                              after=after, limit=limit + 1)
        return page(rows, limit, lambda row: [row["issued_at"].isoformat(), row["key_id"]])

    @router.get("/{key_id}", response_model=AuditedKey,
                summary="One key and every action on it: who, when, why (ops:terminals)")
    async def read_key(key_id: KeyId, caller: Caller) -> AuditedKey:
        require_scope(caller, TERMINALS_SCOPE)
        async with context.engine.connect() as db:
            return AuditedKey.model_validate(await terminal_keys.key_with_actions(db, key_id))

    @router.post("/{key_id}/revocation", response_model=TerminalKey,
                 summary="Revoke a key now (ops:terminals); emits TerminalKeyRevoked",
                 description="Every service refuses it within the delay docs/wallet.md states. "
                 "404 `terminal_key_not_found`, 409 `key_revoked`.")
    async def revoke(key_id: KeyId, body: RevokeKeyRequest, caller: Caller) -> TerminalKey:
        require_scope(caller, TERMINALS_SCOPE)
        async with context.uow() as uow:
            return await receipt(TerminalKey, terminal_keys.revoke(
                uow, key_id, actor=caller.identity, reason=body.reason))

    @router.post("/{key_id}/rotation", status_code=201, response_model=RotatedKey,
                 summary="Rotate a key (ops:terminals): a new key now, the old one refused "
                 "after the overlap; emits TerminalKeyIssued and TerminalKeyRevoked",
                 description="404 `terminal_key_not_found`; 409 `key_revoked`, `key_rotating` "
                 "(already rotated), `key_expired`.")
    async def rotate(key_id: KeyId, body: RotateKeyRequest, caller: Caller) -> RotatedKey:
        require_scope(caller, TERMINALS_SCOPE)
        async with context.uow() as uow:
            return await receipt(RotatedKey, terminal_keys.rotate(
                uow, secret, key_id, overlap=timedelta(minutes=body.overlap_minutes),
                lifetime=timedelta(days=body.valid_days), actor=caller.identity,
                reason=body.reason))

    return router
