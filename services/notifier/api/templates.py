"""Ops preview of a template as messages use it now (the ops version in use, else the
release's file), or of a draft wording for it: rendered with the kind's sample facts, or
with given ones."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter
from jinja2 import TemplateError, TemplateSyntaxError

from services.notifier.api.schemas import PreviewBody, PreviewView
from services.notifier.rules.kinds import KINDS
from services.notifier.rules.samples import SAMPLES
from services.notifier.rules.templates import LOCALES, render
from services.notifier.store.template_overrides import overrides_of
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def templates_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/templates", tags=["templates"], responses=PROBLEM_RESPONSES)
    overrides = overrides_of(context.engine)

    @router.post("/{kind}/preview", response_model=PreviewView, summary="Preview a template")
    async def preview(kind: PathId, body: PreviewBody, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        if kind not in KINDS:
            raise Problem(404, "kind_not_found", f"No message kind {kind}.")
        if body.locale not in LOCALES:
            raise Problem(422, "locale_not_supported", f"Templates exist for {', '.join(LOCALES)}.")
        try:
            zone = ZoneInfo(body.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise Problem(422, "invalid_time_zone", f"Unknown time zone {body.time_zone}.") from error
        if overrides.loaded_up_to is None:  # a query only on this replica's first use
            async with context.engine.connect() as db:
                await overrides.reload(db)
        # without a draft: what messages use now, the ops version in use or the file
        draft = body.draft if body.draft is not None else overrides.wording(kind, body.locale)
        try:
            rendered = render(kind, body.locale, body.facts if body.facts is not None else SAMPLES[kind],
                              zone, "https://example.invalid/v1/unsubscribe/preview", draft)
        except TemplateSyntaxError as error:
            raise Problem(422, "invalid_template",
                          f"The draft is not a template (line {error.lineno}): {error.message}.",
                          errors=[{"location": ["body", "draft"], "message": str(error.message)}]
                          ) from error
        except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
            raise Problem(422, "facts_do_not_fit",
                          f"The template cannot render these facts: {error}.") from error
        return {"kind": kind, "locale": body.locale, "version": rendered.version,
                "subject": rendered.subject, "html": rendered.html, "text": rendered.text}

    return router
