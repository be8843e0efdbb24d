"""Login sessions: opened at login, found by the cookie's id (stored only as its SHA-256),
ended at logout or by their expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.store.tables import sessions, users
from services.console.store.users import OpsUser


@dataclass(frozen=True)
class Session:
    user: OpsUser
    csrf_token: str
    expires_at: datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(connection: AsyncConnection, user: OpsUser, now: datetime,
                       lasts: timedelta) -> tuple[str, Session]:
    """The new session id (for the cookie, never stored) and the session."""
    session_id = secrets.token_urlsafe(32)
    session = Session(user, secrets.token_urlsafe(32), now + lasts)
    await connection.execute(sessions.insert().values(
        session_hash=_hash(session_id), username=user.username, csrf_token=session.csrf_token,
        created_at=now, expires_at=session.expires_at))
    return session_id, session


async def find_session(connection: AsyncConnection, session_id: str, now: datetime) -> Session | None:
    """The live session with this id: not ended, not expired, its user still active."""
    row = (await connection.execute(
        select(sessions.c.csrf_token, sessions.c.expires_at, users.c.username, users.c.role)
        .join(users, users.c.username == sessions.c.username)
        .where(sessions.c.session_hash == _hash(session_id), sessions.c.ended_at.is_(None),
               sessions.c.expires_at > now, users.c.active))).first()
    if row is None:
        return None
    return Session(OpsUser(row.username, row.role), row.csrf_token, row.expires_at)


async def end_session(connection: AsyncConnection, session_id: str, now: datetime) -> None:
    await connection.execute(update(sessions).where(
        sessions.c.session_hash == _hash(session_id), sessions.c.ended_at.is_(None),
    ).values(ended_at=now))


async def forget_old_sessions(connection: AsyncConnection, before: datetime) -> int:
    """Deletes sessions that ended or expired before `before`; how many."""
    result = await connection.execute(sessions.delete().where(
        (sessions.c.expires_at < before) | (sessions.c.ended_at < before)))
    return result.rowcount
