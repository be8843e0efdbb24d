"""Ops' webhook subscriptions (`ops:webhooks`): create (the secret shown once), list, read,
change, rotate the secret, delete; each subscription's delivery log and a manual
redelivery. Every change is audited by the ops audit middleware (shared/http/ops_audit.py).

A URL is checked when it is given (https, and every address its host resolves to public)
and again before every delivery (jobs/webhook_delivery.py), since DNS can change between.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.notifier.api.webhook_schemas import (
    CreatedSubscription,
    DeliveryStatus,
    DeliveryView,
    RotatedSecret,
    SubscriptionBody,
    SubscriptionChange,
    SubscriptionView,
)
from services.notifier.channels.webhooks import resolve_and_check
from services.notifier.rules.webhooks import Interest, known_event_types, new_secret
from services.notifier.settings import NotifierSettings
from services.notifier.store import webhook_deliveries, webhook_subscriptions
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import NotFound
from shared.service import ServiceContext

SCOPE = "ops:webhooks"
SECRET_BYTES = 32


def delivery_number(delivery_id: str) -> int:
    """A delivery id from the path: a number, or no such delivery (the path takes any id, so
    a caller without the scope is told 403 before anything about the id)."""
    if not delivery_id.isdecimal() or not 0 < int(delivery_id) < 2**63:
        raise NotFound("delivery_not_found", f"No delivery {delivery_id}.")
    return int(delivery_id)


def webhooks_router(context: ServiceContext[NotifierSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/ops/webhooks/subscriptions", tags=["webhooks"],
                       responses=PROBLEM_RESPONSES)
    allow_private = context.settings.webhook_private_targets_allowed(
        context.platform.environment)

    @router.post("", status_code=201, response_model=CreatedSubscription,
                 summary="Subscribe a URL to events (the secret is shown once)")
    async def create(body: SubscriptionBody, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        interest = Interest(known_event_types(body.event_types), body.member_id)
        await resolve_and_check(body.url, allow_private)
        secret = new_secret(secrets.token_bytes(SECRET_BYTES))
        async with context.uow() as uow:
            created = await webhook_subscriptions.create(
                uow.connection, f"whs_{secrets.token_hex(8)}", body.url, interest, secret,
                body.description, uow.clock.now())
        return {**created, "secret": secret}

    @router.get("", response_model=Page[SubscriptionView], summary="Webhook subscriptions")
    async def listing(caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, SCOPE)
        key = decode_cursor(cursor, 2)
        if key is not None and not isinstance(key[1], str):
            raise invalid_cursor()
        after = (cursor_moment(key[0]), key[1]) if key is not None else None
        async with context.uow() as uow:
            rows = await webhook_subscriptions.listing(uow.connection, after, limit)
        return page(rows, limit, lambda r: [r["created_at"].isoformat(), r["subscription_id"]])

    @router.get("/{subscription_id}", response_model=SubscriptionView,
                summary="A webhook subscription")
    async def read(subscription_id: PathId, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        async with context.uow() as uow:
            return await webhook_subscriptions.get(uow.connection, subscription_id)

    @router.patch("/{subscription_id}", response_model=SubscriptionView,
                  summary="Change a subscription, or turn it on or off")
    async def change(subscription_id: PathId, body: SubscriptionChange, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        changes = body.model_dump(exclude_unset=True)
        for field in ("url", "event_types", "enabled", "description"):
            if field in changes and changes[field] is None:
                del changes[field]  # only the member filter is dropped by a null
        if "event_types" in changes:
            changes["event_types"] = list(known_event_types(changes["event_types"]))
        if "url" in changes:
            await resolve_and_check(changes["url"], allow_private)
        async with context.uow() as uow:
            return await webhook_subscriptions.change(uow.connection, subscription_id, changes,
                                                      uow.clock.now())

    @router.post("/{subscription_id}/secret-rotation", response_model=RotatedSecret,
                 summary="A new signing secret, in force at once (shown once)")
    async def rotate(subscription_id: PathId, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        secret = new_secret(secrets.token_bytes(SECRET_BYTES))
        async with context.uow() as uow:
            await webhook_subscriptions.rotate_secret(uow.connection, subscription_id, secret,
                                                      uow.clock.now())
        return {"subscription_id": subscription_id, "secret": secret}

    @router.delete("/{subscription_id}", status_code=204,
                   summary="Delete a subscription and its delivery log")
    async def remove(subscription_id: PathId, caller: Caller) -> None:
        require_scope(caller, SCOPE)
        async with context.uow() as uow:
            await webhook_subscriptions.remove(uow.connection, subscription_id)

    @router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryView],
                summary="A subscription's delivery log, newest first")
    async def deliveries(subscription_id: PathId, caller: Caller, limit: Limit = 50,
                         cursor: Cursor = None,
                         status: Annotated[DeliveryStatus | None, Query()] = None) -> dict:
        require_scope(caller, SCOPE)
        key = decode_cursor(cursor, 1)
        if key is not None and (type(key[0]) is not int or key[0] < 1):
            raise invalid_cursor()
        async with context.uow() as uow:
            await webhook_subscriptions.get(uow.connection, subscription_id)
            rows = await webhook_deliveries.log(uow.connection, subscription_id,
                                                key[0] if key else None, status, limit)
        return page(rows, limit, lambda r: [r["delivery_id"]])

    @router.post("/{subscription_id}/deliveries/{delivery_id}/redelivery", status_code=202,
                 response_model=DeliveryView, summary="Send a delivery again, now (Idempotency-Key)")
    async def redeliver(subscription_id: PathId, delivery_id: PathId, caller: Caller,
                        idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, SCOPE)
        number = delivery_number(delivery_id)

        async def queue_again(uow: UnitOfWork) -> dict:
            row = await webhook_deliveries.redeliver(uow.connection, subscription_id, number,
                                                     uow.clock.now())
            return DeliveryView.model_validate(row).model_dump(mode="json")

        # a retried click must not send the event a third time: one key, one redelivery
        return await idempotent_post(
            context.uow, caller, f"POST redelivery {subscription_id} {delivery_id}",
            idempotency_key, {}, queue_again, status=202)

    return router
