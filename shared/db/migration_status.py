"""Whether a service's schema is at its newest migration, and waiting until it is.

On Kubernetes one Job applies every migration (`patronage migrate all`): two replicas
upgrading at once would race on the same DDL and `CREATE OR REPLACE FUNCTION`. The service
pods start with `--no-migrate` after an init container has waited here for that Job's work.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.engine import asyncpg_url
from shared.db.migrations import alembic_config


async def at_head(script_location: Path, url: str, schema: str) -> bool:
    """True when the schema's version table names exactly the newest revision(s); False
    when it names an older one or does not exist yet. Connection errors propagate."""
    scripts = ScriptDirectory.from_config(alembic_config(script_location, url, schema))
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))
            applied = {row[0] for row in rows}
    except ProgrammingError:  # no schema or no version table: nothing applied yet
        applied = set()
    finally:
        await engine.dispose()
    return applied == set(scripts.get_heads())


async def wait_for_head(script_location: Path, url: str, schema: str, timeout: float,
                        interval: float = 2.0) -> bool:
    """Poll `at_head` until it holds or `timeout` seconds pass; an unreachable database
    counts as not yet (it may be starting beside us)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await at_head(script_location, url, schema):
                return True
        except (OSError, DBAPIError):
            pass
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
