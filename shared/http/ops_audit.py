"""An audit row for every ops action, in every service, with no code in the routes: an
ASGI middleware records each state-changing request (POST, PUT, PATCH, DELETE) an ops
caller made, once its status is known: who (`ops:<subject>`), with which scopes, the route
(its template, e.g. `/v1/ops/wallets/{member_id}/freeze`), the target (the path's ids and
the body's top-level `*_id` fields), the status and outcome, when, and the request id the
response carries. A request refused with 403 is recorded too: an operator trying what
their scopes do not allow is what an audit is for.

The caller is the principal `authenticate` already verified for the route
(`request.state.caller`); a request that never authenticated is no ops action. Only
requests with a bearer token are looked at, so the POS's recharge (an `X-Api-Key`) pays
nothing, not even a copy of its body. The row is written in its own transaction before
the response starts; if that fails (the database went away after the action), the
failure is logged with the same fields, and the answer is the action's own.

Ops read it with `GET /v1/ops/audit` (scope `ops:audit`), newest first, paged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
import structlog
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from shared.db import ops_audit
from shared.http.auth import Caller, Principal, require_scope
from shared.http.ids import Id
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY_KEPT = 64 * 1024  # enough for any ops body; a larger one is audited without targets


class OpsAudit:
    def __init__(self, app: Any, context: ServiceContext) -> None:
        self.app, self.context = app, context

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in CHANGES or not _bearer(scope):
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def keeping_the_body() -> dict:
            message = await receive()
            if message["type"] == "http.request" and len(body) <= MAX_BODY_KEPT:
                body.extend(message.get("body", b""))
            return message

        started = False

        async def audited(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                await self._record_if_ops(scope, bytes(body), message["status"])
            await send(message)

        try:
            await self.app(scope, keeping_the_body, audited)
        except Exception:
            # answered 500 further out (ServerErrorMiddleware): on record as failed
            if not started:
                await self._record_if_ops(scope, bytes(body), 500)
            raise

    async def _record_if_ops(self, scope: dict, body: bytes, status: int) -> None:
        caller = scope.get("state", {}).get("caller")
        if isinstance(caller, Principal) and caller.role == "ops":
            await self._record(scope, caller, body, status)

    async def _record(self, scope: dict, caller: Principal, body: bytes, status: int) -> None:
        route = scope.get("route")
        row = {
            "at": self.context.clock.now(), "actor": caller.identity,
            "scopes": sorted(caller.scopes), "method": scope["method"],
            "route": getattr(route, "path", scope["path"]),
            "target": {**_ids_in(body), **scope.get("path_params", {})}, "status": status,
            "outcome": ops_audit.outcome_of(status),
            "request_id": structlog.contextvars.get_contextvars().get("request_id", ""),
        }
        try:
            async with self.context.engine.begin() as connection:
                await ops_audit.record(connection, row)
        except (SQLAlchemyError, OSError):
            log.error("ops_audit_not_written", **{**row, "at": row["at"].isoformat()})


def _bearer(scope: dict) -> bool:
    return any(name == b"authorization" and value[:7].lower() == b"bearer "
               for name, value in scope.get("headers") or ())


def _ids_in(body: bytes) -> dict[str, str]:
    """The body's top-level ids (`member_id`, `recharge_id`, ...): whom the action was on."""
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {key: value for key, value in parsed.items()
            if key.endswith("_id") and isinstance(value, str) and len(value) <= 64}


class AuditEntry(BaseModel):
    audit_id: int
    at: datetime
    actor: str
    scopes: list[str]
    method: str
    route: str
    target: dict[str, str]
    status: int
    outcome: str
    request_id: str


def ops_audit_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/ops/audit", tags=["ops"], responses=PROBLEM_RESPONSES)

    @router.get("", response_model=Page[AuditEntry],
                summary="Every ops action on this service, newest first (ops:audit)")
    async def read_audit(caller: Caller, limit: Limit = 50, cursor: Cursor = None,
                         actor: Annotated[Id | None, Query(description="e.g. ops:alice")] = None,
                         ) -> dict:
        require_scope(caller, "ops:audit")
        after = decode_cursor(cursor, 1)
        if after is not None and not isinstance(after[0], int):
            raise invalid_cursor()
        async with context.engine.connect() as connection:
            rows = await ops_audit.read(connection, after[0] if after else None, actor,
                                        limit + 1)
        return page(rows, limit, lambda row: [row["audit_id"]])

    return router
