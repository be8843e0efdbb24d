"""Correcting a member's profile: the fields a member may correct, and which of them a
correction really changes, recorded with old and new values masked
(shared/masked_values.py; docs/privacy.md, "Correction")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.masked_values import masked_changes

CORRECTABLE = ("phone", "email", "birthday", "locale")


def changes(before: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return masked_changes(before, {f: v for f, v in given.items() if f in CORRECTABLE})
