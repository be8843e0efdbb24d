"""The console's tables (schema `console`).

users: ops users of the console: a password hash (argon2id), a role (rules/roles.py), and
  whether they may still log in.
sessions: one row per login. The cookie holds a random session id; only its SHA-256 is
  stored, so a copy of this table opens no session. Each carries its CSRF token, its expiry
  and when it was logged out.
outbox, inbox: the runtime's messaging tables; the console emits and consumes no events
  (it talks to the other services only over their HTTP APIs) and they stay empty.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, Table, Text

from shared.db.messaging_tables import define_messaging_tables

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


users = Table(
    "users", metadata,
    Column("username", Text, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    _at("created_at"),
)
sessions = Table(
    "sessions", metadata,
    Column("session_hash", Text, primary_key=True),
    Column("username", Text, nullable=False),
    Column("csrf_token", Text, nullable=False),
    _at("created_at"), _at("expires_at"), _at("ended_at", nullable=True),
    Index("sessions_by_user", "username"),
)
