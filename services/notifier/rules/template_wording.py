"""An ops wording of a kind's template (docs/notifier.md, "Template versions"): checked by
rendering it, before it is published, exactly as a message would be — in the strict,
autoescaping environment, with the kind's sample facts (`rules/samples.py`), which are the
facts a message of the kind carries. A name the samples lack is refused, so a wording can
use the same variables as the kind's file and no others; a syntax error is refused too.
Either way the answer names the line (1 is the subject, the body starts on line 2)."""

from __future__ import annotations

import hashlib
from types import TracebackType
from zoneinfo import ZoneInfo

from jinja2 import TemplateError, TemplateSyntaxError

from services.notifier.rules.samples import SAMPLES
from services.notifier.rules.templates import render
from shared.rule_violations import RuleViolation

PREVIEW_LINK = "https://example.invalid/v1/unsubscribe/preview"


def wording_of(subject: str, body: str) -> str:
    """The text stored and rendered: first line the subject, the rest the body (the file
    templates' own layout)."""
    return f"{subject.strip()}\n{body.strip()}"


def digest(wording: str) -> str:
    """What a message sent with this wording records as its template version (the file
    templates' version is the same digest of their text)."""
    return hashlib.sha256(wording.encode()).hexdigest()[:12]


def template_line(trace: TracebackType | None) -> int | None:
    """The line of the wording a render error was raised at: Jinja2 rewrites the traceback
    so the template's own frame has the file name `<template>`."""
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def refused(line: int | None, reason: str) -> RuleViolation:
    field = "subject" if line == 1 else "body"
    where = f" (line {line})" if line is not None else ""
    return RuleViolation("invalid_template", f"The wording is not a template{where}: {reason}.",
                         line=line, errors=[{"location": ["body", field],
                                             "message": f"line {line}: {reason}" if line else reason}])


def checked_wording(kind: str, locale: str, subject: str, body: str) -> str:
    """The wording to publish; 422 `invalid_template` naming the line if it does not render
    with the kind's sample facts."""
    if "\n" in subject.strip() or not subject.strip():
        raise refused(1, "the subject is one line, not empty")
    if not body.strip():
        raise refused(2, "the body is empty")
    wording = wording_of(subject, body)
    try:
        render(kind, locale, SAMPLES[kind], ZoneInfo("UTC"), PREVIEW_LINK, draft=wording)
    except TemplateSyntaxError as error:
        raise refused(error.lineno, str(error.message)) from error
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise refused(template_line(error.__traceback__), str(error)) from error
    return wording
