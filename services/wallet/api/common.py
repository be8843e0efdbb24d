"""What the wallet's routes share: the Idempotency-Key header, running a money-moving POST
under Stripe semantics in one transaction, paging parameters, and turning domain refusals
into problem+json."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import orjson
from fastapi import Header, Query, Response
from pydantic import BaseModel

from services.wallet.domain import NotFound, WalletRuleViolation
from shared.db.unit_of_work import UnitOfWork
from shared.http import idempotency
from shared.http.auth import Principal, can_see_store
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Required. Same key + same body replays "
           "the first response; a different body is refused with 422; a concurrent duplicate "
           "gets 409 request_in_progress. Keys are kept at least 7 days."),
]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (default 50, max 200).")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the last page.")]
CONFLICTS = {"order_reference_reused", "recharge_already_refunded", "pos_reference_reused"}
RESPONSES = PROBLEM_RESPONSES


def as_problem(refused: WalletRuleViolation) -> Problem:
    if isinstance(refused, NotFound):
        return Problem(404, refused.code, refused.detail)
    return Problem(409 if refused.code in CONFLICTS else 422, refused.code, refused.detail)


def replay(stored: idempotency.StoredResponse) -> Response:
    return Response(stored.body, stored.status_code, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


async def idempotent_post(
    context: ServiceContext, caller: Principal, route: str, key: str | None, body: BaseModel | dict,
    work: Callable[[UnitOfWork], Awaitable[BaseModel]], status: int = 201,
) -> Response:
    """Run `work` once per (caller, route, key): its effects, its events and the stored
    response commit together, so a replay returns exactly what the first call returned."""
    key = idempotency.require_key(key)
    scope = f"{caller.identity} {route}"
    fingerprint = idempotency.request_fingerprint(
        body.model_dump(mode="json") if isinstance(body, BaseModel) else body)
    async with context.uow() as uow:
        stored = await idempotency.replay_or_claim(uow.connection, scope, key, fingerprint)
        if stored is not None:
            return replay(stored)
        try:
            result = await work(uow)
        except WalletRuleViolation as refused:
            raise as_problem(refused) from refused
        payload = orjson.dumps(result.model_dump(mode="json"))
        await idempotency.remember(uow.connection, scope, key, fingerprint, status, payload)
    return Response(payload, status, media_type="application/json")


def hidden_from(caller: Principal, member_id: str, store_id: str) -> bool:
    """Members see only their own records, terminals only their stores'."""
    return (caller.role == "member" and caller.subject != member_id) or not can_see_store(
        caller, store_id)


def check_currency(context: ServiceContext, currency: str) -> None:
    if currency not in context.settings.currencies:
        raise Problem(422, "unsupported_currency", f"This merchant's wallets do not hold {currency}.")
