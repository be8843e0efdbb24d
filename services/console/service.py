"""The ops console, as the runtime sees it: its web app and its own tables (ops users and
sessions). No event handlers and no subscriptions: it reads and acts through the other
services' HTTP APIs only; its outbox stays empty."""

from __future__ import annotations

from pathlib import Path

from services.console.api import create_app
from services.console.handlers import HANDLERS
from services.console.jobs import background_jobs
from services.console.settings import get_console_settings
from services.console.store import tables
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="console",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_console_settings,
    create_app=create_app,
    handlers=HANDLERS,
    background=background_jobs,
)
