"""A member's data export (docs/privacy.md, "Access and export"): requested by the member
(their own id) or by ops with `ops:pii` on their behalf, built by every service from its own
tables, tracked here, and assembled into one JSON archive when downloaded. Both the request
and every download are audited (who, when)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Header

from services.tiering.api.archive_parts import fetch_parts
from services.tiering.api.schemas import DataExportView
from services.tiering.rules.data_exports import archive, progress
from services.tiering.settings import TieringSettings
from services.tiering.store import data_exports
from shared.db.data_export_parts import part_of
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, require_member_reader
from shared.http.problems import PROBLEM_RESPONSES, Problem, problem_doc
from shared.service import ServiceContext

ARCHIVE_PROBLEMS = {
    410: problem_doc("The export has expired (`data_export_expired`); request a new one."),
    502: problem_doc("A service did not hand over its part (`data_export_part_unavailable`); "
                     "try again."),
}


def data_exports_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}/data-exports", tags=["data exports"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.post("", status_code=201, response_model=DataExportView,
                 summary="Request a copy of a member's data")
    async def request_export(member_id: PathId, caller: Caller,
                             idempotency_key: IdempotencyKey = None):
        require_member_reader(caller, member_id, PII_SCOPE)

        async def work(uow: UnitOfWork) -> dict:
            export = await data_exports.request_export(uow, member_id, caller.identity,
                                                       settings.data_export_days)
            view = progress(export, {"tiering"}, uow.clock.now())
            return DataExportView.model_validate({**view, "downloads": []})

        return await idempotent_post(context.uow, caller,
                                     "POST /v1/members/{member_id}/data-exports",
                                     idempotency_key, {"member_id": member_id}, work)

    @router.get("/{export_id}", response_model=DataExportView,
                summary="How far a data export got, and who downloaded it")
    async def get_export(member_id: PathId, export_id: UUID, caller: Caller) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        async with context.engine.connect() as db:
            export, ready = await data_exports.export_of(db, member_id, export_id)
            downloads = await data_exports.downloads_of(db, export_id)
        return {**progress(export, ready, context.clock.now()), "downloads": downloads}

    @router.get("/{export_id}/archive", responses=ARCHIVE_PROBLEMS,
                summary="Download the export: one JSON archive of every service's part",
                description="Shaped as docs/privacy/export-archive.schema.json. 409 "
                "`data_export_not_ready` until every part is stored; 410 "
                "`data_export_expired` after `expires_at`.")
    async def download(member_id: PathId, export_id: UUID, caller: Caller,
                       authorization: str = Header(default="", include_in_schema=False)) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        now = context.clock.now()
        async with context.engine.connect() as db:
            export, ready = await data_exports.export_of(db, member_id, export_id)
            own = await part_of(db, export_id)
        status = progress(export, ready, now)["status"]
        if status == "expired":
            raise Problem(410, "data_export_expired", f"Export {export_id} has expired.")
        if status != "ready" or own is None:
            raise Problem(409, "data_export_not_ready",
                          f"Export {export_id} is still being built; see its progress.")
        parts = await fetch_parts(settings.part_urls(), member_id, export_id, authorization)
        parts["tiering"] = {"built_at": own["built_at"].isoformat(), "records": own["records"],
                            "sections": own["content"]}
        async with context.uow() as uow:
            await data_exports.record_download(uow.connection, export_id, caller.identity, now)
        return archive(export, parts, now)

    return router
