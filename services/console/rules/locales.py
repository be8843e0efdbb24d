"""The console's two languages. A locale cookie wins; otherwise the browser's
Accept-Language; otherwise English. Words live in `rules/words.py`."""

from __future__ import annotations

from services.console.rules.words import WORDS

LOCALES = ("en", "zh")


def choose_locale(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LOCALES:
        return cookie  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def translate(locale: str, key: str) -> str:
    """The word for `key` in `locale`; the English one, then the key, when it is missing
    (a missing word shows, it never breaks a page)."""
    entry = WORDS.get(key)
    if entry is None:
        return key
    return entry.get(locale) or entry["en"]


def safe_return_path(path: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
