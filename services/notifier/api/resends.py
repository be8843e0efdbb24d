"""Ops resend a member's message (`ops:pii`: it sends to the member's own contact, as the
contact details and the delivery log are `ops:pii`). One `Idempotency-Key`, one resend: a
double click queues one copy. The copy goes through the delivery job like any message,
under the member's current channel, consent, quiet hours and caps; an opted-out member is
refused with 409 `member_opted_out` before anything is queued (rules/resends.py). The ops
audit middleware records who resent what (shared/http/ops_audit.py)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from services.notifier.api.schemas import NotificationView
from services.notifier.settings import NotifierSettings
from services.notifier.store.resends import resend
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, require_ops_scope
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def resends_router(context: ServiceContext[NotifierSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}/notifications", tags=["inbox"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings
    configured = settings.channels_on(context.platform.environment)

    @router.post("/{notification_id}/resend", status_code=202, response_model=NotificationView,
                 summary="Send a message again (ops:pii, Idempotency-Key)",
                 description="Queues a copy of the message (same kind and facts, `resent_from` "
                 "naming it) for the delivery job; the member's current channel, consent, "
                 "quiet hours and caps apply. 409 `member_opted_out` when the member consents "
                 "on no channel they can be reached on; 409 `notification_not_resendable` for "
                 "a message not yet sent or failed.")
    async def resend_message(member_id: PathId, notification_id: UUID, caller: Caller,
                             idempotency_key: IdempotencyKey = None) -> Response:
        require_ops_scope(caller, PII_SCOPE)

        async def queue_copy(uow: UnitOfWork) -> dict:
            row = await resend(uow.connection, member_id, notification_id, configured,
                               settings.fallback_order, uow.clock.now())
            return NotificationView.model_validate(dict(row._mapping)).model_dump(mode="json")

        return await idempotent_post(
            context.uow, caller, f"POST resend {member_id} {notification_id}",
            idempotency_key, {}, queue_copy, status=202)

    return router
