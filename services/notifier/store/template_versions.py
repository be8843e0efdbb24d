"""Template versions: ops' wordings per (kind, locale), appended and never changed. The
newest per (kind, locale) is in use; a version without wording goes back to the release's
file (docs/notifier.md, "Template versions")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import template_versions as versions


async def publish(db: AsyncConnection, kind: str, locale: str, wording: str | None,
                  digest: str, by: str, now: datetime) -> dict[str, Any]:
    row = (await db.execute(versions.insert().values(
        kind=kind, locale=locale, wording=wording, digest=digest, created_by=by, created_at=now)
        .returning(*versions.c))).mappings().one()
    return dict(row)


async def history(db: AsyncConnection, kind: str, before: int | None,
                  limit: int) -> list[dict[str, Any]]:
    """A kind's versions in both locales, newest first (up to `limit + 1`, for paging)."""
    query = select(versions).where(versions.c.kind == kind)
    if before is not None:
        query = query.where(versions.c.version_id < before)
    rows = await db.execute(query.order_by(versions.c.version_id.desc()).limit(limit + 1))
    return [dict(row) for row in rows.mappings()]


async def newest_id(db: AsyncConnection) -> int:
    """The newest version's id (0 without any): what the replicas' periodic check compares."""
    return (await db.execute(select(func.coalesce(func.max(versions.c.version_id), 0)))).scalar_one()


async def in_use(db: AsyncConnection) -> dict[tuple[str, str], dict[str, Any]]:
    """The newest version per (kind, locale), reverts included."""
    newest = select(func.max(versions.c.version_id)).group_by(versions.c.kind, versions.c.locale)
    rows = await db.execute(select(versions).where(versions.c.version_id.in_(newest)))
    return {(row["kind"], row["locale"]): dict(row) for row in rows.mappings()}
