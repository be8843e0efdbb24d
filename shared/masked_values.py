"""Masked personal values for audit trails: enough to tell which address or number a change
concerned, not enough to become a second copy of it (docs/privacy.md, "Correction").
Used by tiering's profile corrections and the notifier's contact corrections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What is masked; any other field (locale, preferred channel, time zone) is kept as is.
MASKED_FIELDS = frozenset({"phone", "email", "birthday", "push_token", "wechat_open_id"})


def mask(field: str, value: Any) -> Any:
    """email: first letter and domain (l***@example.com); phone: the last four digits;
    birthday: nothing of it; a push token or WeChat id: its last four characters. None
    stays None (a value first given, or cleared)."""
    if value is None or field not in MASKED_FIELDS:
        return value
    text = str(value)
    if field == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    if field == "phone":
        return "***" + "".join(c for c in text if c.isdigit())[-4:]
    if field == "birthday":
        return "**-**"
    return "***" + text[-4:]


def masked_changes(before: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields of `given` whose value differs from `before`, each {"from", "to"} masked."""
    return {field: {"from": mask(field, before.get(field)), "to": mask(field, value)}
            for field, value in given.items() if before.get(field) != value}
