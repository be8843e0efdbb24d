"""Template versions (`ops:config`): publish an ops wording of a kind in a locale, go back
to the release's file, and the history with who and when. Each is a new immutable version;
the newest per (kind, locale) is what messages use (docs/notifier.md, "Template versions").
A publish reloads this replica's copy at once; other replicas see it at their next check."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter

from services.notifier.api.template_version_schemas import RevertBody, VersionBody, VersionView
from services.notifier.rules.kinds import KINDS
from services.notifier.rules.template_wording import checked_wording, digest
from services.notifier.rules.templates import LOCALES, TEMPLATES
from services.notifier.settings import NotifierSettings
from services.notifier.store import template_versions
from services.notifier.store.template_overrides import overrides_of
from shared.http.auth import Caller, Principal, require_scope
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import NotFound, RuleViolation
from shared.service import ServiceContext

SCOPE = "ops:config"


def checked(kind: str, locale: str | None = None) -> None:
    if kind not in KINDS:
        raise NotFound("kind_not_found", f"No message kind {kind}.")
    if locale is not None and locale not in LOCALES:
        raise RuleViolation("locale_not_supported", f"Templates exist for {', '.join(LOCALES)}.")


def view(row: dict[str, Any]) -> dict[str, Any]:
    subject, _, body = (row["wording"] or "").partition("\n")
    wording = row["wording"] is not None
    return {**row, "subject": subject if wording else None, "body": body if wording else None,
            "release_wording": not wording}


def template_versions_router(context: ServiceContext[NotifierSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/templates", tags=["templates"], responses=PROBLEM_RESPONSES)
    overrides = overrides_of(context.engine)

    async def published(caller: Principal, kind: str, locale: str, wording: str | None,
                        version: str) -> dict:
        async with context.uow() as uow:
            row = await template_versions.publish(uow.connection, kind, locale, wording, version,
                                                  caller.identity, uow.clock.now())
        async with context.engine.connect() as db:  # after the commit: in force here at once
            await overrides.reload(db)
        return view(row)

    @router.get("/{kind}/versions", response_model=Page[VersionView],
                summary="A kind's template versions in both locales, newest first")
    async def history(kind: PathId, caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, SCOPE)
        checked(kind)
        key = decode_cursor(cursor, 1)
        if key is not None and not isinstance(key[0], int):
            raise invalid_cursor()
        async with context.uow() as uow:
            rows = await template_versions.history(uow.connection, kind, key and key[0], limit)
        return page([view(row) for row in rows], limit, lambda row: [row["version_id"]])

    @router.post("/{kind}/versions", status_code=201, response_model=VersionView,
                 summary="Publish a wording of the kind in a locale as a new version")
    async def publish(kind: PathId, body: VersionBody, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        checked(kind, body.locale)
        wording = checked_wording(kind, body.locale, body.subject, body.body)
        return await published(caller, kind, body.locale, wording, digest(wording))

    @router.post("/{kind}/revert", status_code=201, response_model=VersionView,
                 summary="Go back to the release's wording (a new version)")
    async def revert(kind: PathId, body: RevertBody, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        checked(kind, body.locale)
        source = (TEMPLATES / body.locale / f"{kind}.j2").read_bytes()
        return await published(caller, kind, body.locale, None,
                               hashlib.sha256(source).hexdigest()[:12])

    return router
