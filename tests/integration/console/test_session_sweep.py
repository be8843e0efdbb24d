"""The console's session sweep on real PostgreSQL: sessions that ended or expired more than
a day ago are deleted; live ones and recently ended ones stay (and a deleted one no longer
opens a page)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.console.jobs.session_sweep import session_sweep
from services.console.store.sessions import end_session, find_session, open_session
from services.console.store.users import OpsUser
from tests.support.console import add_console_user
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_the_sweep_forgets_only_sessions_long_over(console):
    await add_console_user(console, "olga", "viewer")
    user, now = OpsUser("olga", "viewer"), console.clock.now()
    async with console.context.uow() as uow:
        live, _ = await open_session(uow.connection, user, now, timedelta(hours=8))
        expired, _ = await open_session(uow.connection, user, now - timedelta(days=3),
                                        timedelta(hours=8))
        ended_long_ago, _ = await open_session(uow.connection, user, now - timedelta(days=2),
                                               timedelta(days=30))
        await end_session(uow.connection, ended_long_ago, now - timedelta(days=2))
        ended_now, _ = await open_session(uow.connection, user, now, timedelta(hours=8))
        await end_session(uow.connection, ended_now, now)

    assert await session_sweep(console.context).run_once() == 2
    rows = await fetch_all(console.platform.database_url, "SELECT count(*) FROM console.sessions")
    assert rows[0][0] == 2
    async with console.context.uow() as uow:
        assert await find_session(uow.connection, live, now) is not None
        assert await find_session(uow.connection, expired, now) is None
