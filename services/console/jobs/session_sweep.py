"""The session sweep: every `session_sweep_every_seconds`, sessions that ended or expired
more than a day ago are deleted (store/sessions.py), so the table holds only recent logins."""

from __future__ import annotations

from datetime import timedelta

from services.console.settings import ConsoleSettings
from services.console.store.sessions import forget_old_sessions
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext

KEPT_FOR = timedelta(days=1)


def session_sweep(context: ServiceContext[ConsoleSettings]) -> BackgroundJob:
    async def run_once() -> int:
        async with context.uow() as uow:
            return await forget_old_sessions(uow.connection, uow.clock.now() - KEPT_FOR)
    return periodic("console_session_sweep", context.settings.session_sweep_every_seconds,
                    run_once)
