"""The template versions in use, held in memory so rendering a message costs no query.

Each replica keeps its own copy: it is loaded on first use, reloaded at once when this
replica publishes, and a cheap periodic check (`newest_id`, one indexed max) reloads it
when another replica has published. One copy per running service, keyed by its engine
(the app and the jobs of one runtime share it; two runtimes in one process, as in the
tests, are two replicas)."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.notifier.store import template_versions

_BY_ENGINE: weakref.WeakKeyDictionary[AsyncEngine, TemplateOverrides] = weakref.WeakKeyDictionary()


class TemplateOverrides:
    def __init__(self) -> None:
        self.loaded_up_to: int | None = None  # None: not loaded yet
        self.current: dict[tuple[str, str], dict[str, Any]] = {}

    def wording(self, kind: str, locale: str) -> str | None:
        """The ops wording in use, or None: the release's file."""
        version = self.current.get((kind, locale))
        return None if version is None else version["wording"]

    async def reload(self, db: AsyncConnection) -> None:
        newest = await template_versions.newest_id(db)
        self.current = await template_versions.in_use(db)
        self.loaded_up_to = newest

    async def ensure_loaded(self, db: AsyncConnection) -> None:
        if self.loaded_up_to is None:
            await self.reload(db)

    async def check(self, db: AsyncConnection) -> bool:
        """Reload if a version newer than the copy's was published (by any replica)."""
        if self.loaded_up_to is not None and await template_versions.newest_id(db) == self.loaded_up_to:
            return False
        await self.reload(db)
        return True


def overrides_of(engine: AsyncEngine) -> TemplateOverrides:
    if engine not in _BY_ENGINE:
        _BY_ENGINE[engine] = TemplateOverrides()
    return _BY_ENGINE[engine]
