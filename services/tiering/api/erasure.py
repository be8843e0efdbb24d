"""A member's erasure (issue 21): asked by the member (app token) or by ops with `ops:pii`,
cancellable during the merchant's cooling-off, its progress per service readable by the
same callers. Asking again returns the live request (200), also once it is completed: a
second erasure of the same member is a no-op."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.tiering.api.schemas import ErasureView
from services.tiering.settings import TieringSettings
from services.tiering.store.erasure import cancel_erasure, erasure_view, request_erasure
from shared.http.auth import Caller
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, require_member_reader
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def erasure_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}/erasure", tags=["erasure"],
                       responses=PROBLEM_RESPONSES)

    @router.post("", status_code=202, response_model=ErasureView,
                 summary="Ask for the member's personal data to be erased",
                 description="Starts the cooling-off (`erasure_cooling_off_days`); then every "
                 "service erases its part and confirms. 202: a new request; 200: the member's "
                 "request already under way or completed, unchanged.",
                 responses={200: {"model": ErasureView,
                                   "description": "The existing request, unchanged."}})
    async def request(member_id: PathId, caller: Caller, response: Response) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        async with context.uow() as uow:
            _, created = await request_erasure(uow, member_id, caller.identity, "request",
                                               context.settings.erasure_cooling_off_days)
        if not created:
            response.status_code = 200
        return await _view(member_id)

    @router.get("", response_model=ErasureView,
                summary="The member's erasure and each service's confirmation")
    async def progress(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        return await _view(member_id)

    @router.post("/cancellation", response_model=ErasureView,
                 summary="Cancel the member's erasure while it is cooling off",
                 description="409 `erasure_not_cancellable` once it has started.")
    async def cancel(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        async with context.uow() as uow:
            await cancel_erasure(uow, member_id, caller.identity)
        return await _view(member_id)

    async def _view(member_id: str) -> dict:
        async with context.engine.connect() as db:
            return await erasure_view(db, member_id)

    return router
