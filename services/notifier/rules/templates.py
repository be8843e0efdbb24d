"""Rendering a message: Jinja2 templates per kind and locale, amounts and dates per locale.

`templates/<locale>/<kind>.j2`: the first line is the subject, the rest the body. The
environment autoescapes (the body goes out as HTML email; a fact is never markup) and is
strict: a template that names a fact the message does not have raises, it never renders a
blank. A template's version is a digest of its text, recorded with every message sent, so
which wording a member got is known after the template changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, Undefined
from markupsafe import Markup

from shared.rule_violations import RuleViolation

TEMPLATES = Path(__file__).parents[1] / "templates"
LOCALES = ("zh-CN", "en")
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>')


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    version: str

    @property
    def text(self) -> str:
        """The body for channels that carry plain text (SMS, push, WeChat, inbox); a link
        keeps its address: `label: url`."""
        return Markup(LINK.sub(r"\2: \1", self.html)).striptags()


@lru_cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=False)


def supported_locale(locale: str | None, default: str) -> str:
    """The member's locale if a template set exists for it (or for its language), else
    the merchant's default."""
    if locale in LOCALES:
        return locale
    language = (locale or "").split("-")[0]
    return next((known for known in LOCALES if known.split("-")[0] == language), default)


def strict(formatter: Callable[..., str]) -> Callable[..., str]:
    """A formatter that, given a fact the message lacks, raises like the template would
    (StrictUndefined only raises when printed or tested, not when passed to a function)."""
    def checked(*args: Any) -> str:
        for arg in args:
            if isinstance(arg, Undefined):
                arg._fail_with_undefined_error()
        return formatter(*args)
    return checked


def money(amount: int, currency: str, locale: str) -> str:
    major = Decimal(amount).scaleb(-get_currency_precision(currency))
    return format_currency(major, currency, locale=locale.replace("-", "_"))


def render(kind: str, locale: str, facts: dict[str, Any], zone: ZoneInfo,
           unsubscribe_url: str | None = None, draft: str | None = None) -> Rendered:
    """`draft`: a template's text not yet in `templates/` (the ops preview of a wording),
    rendered in the same strict, autoescaping environment as the files."""
    babel_locale = locale.replace("-", "_")
    if draft is not None:
        template, source = environment().from_string(draft), draft.encode()
    else:
        try:
            template = environment().get_template(f"{locale}/{kind}.j2")
        except TemplateNotFound as error:
            raise RuleViolation("template_not_found", f"No template {kind} in {locale}.") from error
        source = Path(template.filename or "").read_bytes()
    text = template.render(
        **facts, unsubscribe_url=unsubscribe_url,
        money=strict(lambda amount, currency: money(amount, currency, locale)),
        number=strict(lambda value: format_decimal(value, locale=babel_locale)),
        day=strict(lambda iso: format_date(datetime.fromisoformat(iso).astimezone(zone), "long",
                                           locale=babel_locale)))
    subject, _, body = text.strip().partition("\n")
    return Rendered(subject.strip(), body.strip(), hashlib.sha256(source).hexdigest()[:12])
