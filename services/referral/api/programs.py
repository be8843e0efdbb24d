"""Referral programs (`ops:config` to change, `ops:report` or `ops:config` to read): every version, and a
new version that applies to referrals registered from now on."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from services.referral.api.schemas import ProgramBody, ProgramView
from services.referral.rules.programs import Program
from services.referral.settings import ReferralSettings
from services.referral.store import programs
from shared.http.auth import Caller, require_scope
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def program_view(program: Program, created_by: str | None) -> dict:
    return {**asdict(program), "qualifies_on": list(program.qualifies_on),
            "created_by": created_by}


def programs_router(context: ServiceContext[ReferralSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/programs", tags=["programs"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.get("", response_model=list[ProgramView],
                summary="Every program version (ops:report or ops:config)")
    async def versions(caller: Caller) -> list[dict]:
        # who changes the program (ops:config) reads the versions a change starts from
        if not (caller.role == "ops" and "ops:config" in caller.scopes):
            require_scope(caller, "ops:report")
        async with context.uow() as uow:
            found = await programs.all_versions(uow.connection, settings.default_program())
        return [program_view(p, by) for p, by in found]

    @router.post("", status_code=201, response_model=ProgramView,
                 summary="A new program version, for referrals registered from now on")
    async def add(body: ProgramBody, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        terms = Program(version=0, **{**body.model_dump(),
                                      "qualifies_on": tuple(dict.fromkeys(body.qualifies_on))})
        async with context.uow() as uow:
            program = await programs.add_version(uow.connection, terms,
                                                 settings.default_program(), caller.identity,
                                                 uow.clock.now())
        return program_view(program, caller.identity)

    return router
