"""Async engines: one per service, pinned to the service's own schema.

Every service owns one PostgreSQL schema (its name by default). Its tables are referenced
unqualified and the connection's `search_path` points at the schema, so the same code and
migrations run against `wallet` in production and against an isolated database in tests.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def asyncpg_url(url: str) -> str:
    """Accept `postgresql://` URLs (what ops paste) and pick the asyncpg driver."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The libpq form, for asyncpg.connect and command-line tools."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_service_engine(url: str, schema: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args={"server_settings": {"search_path": schema}},
    )


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database (libpq form)."""
    return plain_url(make_url(url).set(database=database).render_as_string(hide_password=False))
