"""A member's data export, as values: which services contribute a part, how far it got,
whether it may still be downloaded, and the archive's shape
(docs/privacy/export-archive.schema.json)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

# Every service that holds data about a member; tiering's part is built with the request.
PARTS: tuple[str, ...] = ("tiering", "wallet", "rewards", "referral", "notifier")
ARCHIVE_FORMAT = "patronage.member-data-export"
ARCHIVE_VERSION = 1


def expiry(requested_at: datetime, days: int) -> datetime:
    return requested_at + timedelta(days=days)


def status_of(ready: Collection[str], expires_at: datetime, now: datetime) -> str:
    """expired once past its time (whatever was built), else ready when every part is."""
    if now >= expires_at:
        return "expired"
    return "ready" if set(PARTS) <= set(ready) else "building"


def progress(export: Mapping[str, Any], ready: Collection[str], now: datetime) -> dict[str, Any]:
    return {"export_id": export["export_id"], "member_id": export["member_id"],
            "status": status_of(ready, export["expires_at"], now),
            "parts_done": len(set(ready) & set(PARTS)), "parts_total": len(PARTS),
            "parts": {part: part in ready for part in PARTS},
            "requested_by": export["requested_by"], "created_at": export["requested_at"],
            "expires_at": export["expires_at"]}


def archive(export: Mapping[str, Any], parts: Mapping[str, Mapping[str, Any]],
            assembled_at: datetime) -> dict[str, Any]:
    """The one JSON document a member downloads: every service's part under its name."""
    missing = set(PARTS) - set(parts)
    if missing:
        raise ValueError(f"parts missing: {sorted(missing)}")
    return {"format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION,
            "export_id": str(export["export_id"]), "member_id": export["member_id"],
            "requested_at": export["requested_at"].isoformat(),
            "expires_at": export["expires_at"].isoformat(),
            "assembled_at": assembled_at.isoformat(),
            "parts": {name: {"service": name, "built_at": parts[name]["built_at"],
                             "records": parts[name]["records"],
                             "sections": parts[name]["sections"]} for name in PARTS}}
