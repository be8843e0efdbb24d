"""`GET /v1/members/{member_id}/data-exports/{export_id}/part`: the part of a member's data
export this service built (shared/db/data_export_parts.py), for tiering to assemble the
archive (docs/privacy.md, "Access and export"). Tiering forwards the downloader's own
credential, so only the member (their own id) and ops with `ops:pii` get a part: no
service-to-service credential exists that could read every member's data."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from shared.db.data_export_parts import part_of
from shared.http.auth import Caller
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, require_member_reader
from shared.http.problems import PROBLEM_RESPONSES, Problem, problem_doc
from shared.service import ServiceContext

GONE = {410: problem_doc("The export has expired (`data_export_expired`).")}


class DataExportPart(BaseModel):
    export_id: UUID
    member_id: str
    service: str
    built_at: str
    expires_at: str
    records: int
    sections: dict[str, list[dict]]


def data_export_parts_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}/data-exports", tags=["data exports"],
                       responses={**PROBLEM_RESPONSES, **GONE})

    @router.get("/{export_id}/part", response_model=DataExportPart,
                summary="This service's part of a member's data export")
    async def get_part(member_id: PathId, export_id: UUID, caller: Caller) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        async with context.engine.connect() as db:
            part = await part_of(db, export_id)
        if part is None or part["member_id"] != member_id:
            raise Problem(404, "data_export_part_not_found",
                          f"{context.name} has no part of export {export_id} for {member_id}.")
        if part["expires_at"] <= context.clock.now():
            raise Problem(410, "data_export_expired", f"Export {export_id} has expired.")
        return {"export_id": export_id, "member_id": member_id, "service": context.name,
                "built_at": part["built_at"].isoformat(),
                "expires_at": part["expires_at"].isoformat(), "records": part["records"],
                "sections": part["content"]}

    return router
