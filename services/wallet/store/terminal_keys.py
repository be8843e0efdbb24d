"""The terminal-key registry: keys issued per store and terminal, kept only as SHA-256 and
a key id, revoked or rotated by ops, every action audited in `terminal_key_actions` (who,
when, why) and announced as TerminalKeyIssued / TerminalKeyRevoked so that every service
refuses a revoked key (`shared/db/revoked_keys.py`). The wallet reads its own refusals
straight from `terminal_keys` (`ServiceSpec.revoked_keys`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Column, DateTime, Index, LargeBinary, Table, Text, select, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.terminal_keys import (
    KEY_ID_PREFIX,
    KeyState,
    TerminalKeyNotFound,
    check_rotatable,
    key_digest,
    revoked_from,
)
from services.wallet.store.tables import metadata
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import TERMINAL_KEYS_KEY, TerminalKeyIssued, TerminalKeyRevoked
from shared.http.auth import Principal, issue_token


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


terminal_keys = Table(
    "terminal_keys", metadata,
    Column("key_id", Text, primary_key=True),
    Column("store_id", Text, nullable=False),
    Column("terminal_id", Text, nullable=False),
    Column("extra_stores", ARRAY(Text), nullable=False),
    Column("key_sha256", LargeBinary, nullable=False, unique=True),
    _at("issued_at"), _at("expires_at"), _at("revoked_at", nullable=True),
    Column("replaces_key_id", Text),
    Index("ix_terminal_keys_store_terminal", "store_id", "terminal_id", "issued_at"),
    # what every replica re-reads every few seconds: the revoked keys not yet expired
    Index("ix_terminal_keys_revoked", "expires_at", postgresql_where=text("revoked_at IS NOT NULL")),
)
terminal_key_actions = Table(
    "terminal_key_actions", metadata,
    Column("action_id", UUID(as_uuid=True), primary_key=True),
    Column("key_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    _at("at"),
)
LISTED = [c for c in terminal_keys.c if c.name != "key_sha256"]  # the digest never leaves


async def issue(uow: UnitOfWork, secret: str, *, store_id: str, terminal_id: str,
                extra_stores: frozenset[str], lifetime: timedelta, actor: str, reason: str,
                replaces_key_id: str | None = None) -> dict:
    """A new key; the returned `key` is the only copy there will ever be."""
    now = uow.clock.now().replace(microsecond=0)  # a JWT's exp is whole seconds
    key_id = f"{KEY_ID_PREFIX}{uuid.uuid4().hex}"
    principal = Principal("pos", terminal_id, store_id=store_id, extra_stores=extra_stores,
                          key_id=key_id)
    key = issue_token(secret, principal, now, lifetime)
    row = {"key_id": key_id, "store_id": store_id, "terminal_id": terminal_id,
           "extra_stores": sorted(extra_stores), "issued_at": now, "expires_at": now + lifetime,
           "revoked_at": None, "replaces_key_id": replaces_key_id}
    await uow.connection.execute(terminal_keys.insert().values(**row, key_sha256=key_digest(key)))
    await _audit(uow, key_id, "issue", actor, reason)
    uow.emit(TerminalKeyIssued(
        occurred_at=now, member_id=TERMINAL_KEYS_KEY, key_id=key_id, store_id=store_id,
        terminal_id=terminal_id, extra_stores=tuple(row["extra_stores"]),
        expires_at=row["expires_at"], replaces_key_id=replaces_key_id, actor=actor, reason=reason))
    return {**row, "key": key}


async def revoke(uow: UnitOfWork, key_id: str, *, actor: str, reason: str,
                 overlap: timedelta = timedelta(0), action: str = "revoke") -> dict:
    now = uow.clock.now()
    row = await _locked(uow.connection, key_id)
    revoked_at = revoked_from(_state(row), now, overlap)
    await uow.connection.execute(terminal_keys.update().where(terminal_keys.c.key_id == key_id)
                                 .values(revoked_at=revoked_at))
    await _audit(uow, key_id, action, actor, reason)
    uow.emit(TerminalKeyRevoked(
        occurred_at=now, member_id=TERMINAL_KEYS_KEY, key_id=key_id, store_id=row["store_id"],
        terminal_id=row["terminal_id"], expires_at=row["expires_at"], revoked_at=revoked_at,
        actor=actor, reason=reason))
    return {**row, "revoked_at": revoked_at}


async def rotate(uow: UnitOfWork, secret: str, key_id: str, *, overlap: timedelta,
                 lifetime: timedelta, actor: str, reason: str) -> dict:
    """The terminal's new key, and the old one refused once `overlap` has passed."""
    old = await _locked(uow.connection, key_id)
    check_rotatable(_state(old), uow.clock.now())
    new = await issue(uow, secret, store_id=old["store_id"], terminal_id=old["terminal_id"],
                      extra_stores=frozenset(old["extra_stores"]), lifetime=lifetime,
                      actor=actor, reason=reason, replaces_key_id=key_id)
    replaced = await revoke(uow, key_id, actor=actor, reason=reason, overlap=overlap,
                            action="rotate")
    return {**new, "replaced": replaced}


async def listed(db: AsyncConnection, *, store_id: str | None, terminal_id: str | None,
                 after: tuple[datetime, str] | None, limit: int) -> list[dict]:
    """Newest first; never the key, never its digest."""
    query = select(*LISTED).order_by(terminal_keys.c.issued_at.desc(),
                                      terminal_keys.c.key_id.desc()).limit(limit)
    if store_id is not None:
        query = query.where(terminal_keys.c.store_id == store_id)
    if terminal_id is not None:
        query = query.where(terminal_keys.c.terminal_id == terminal_id)
    if after is not None:
        query = query.where(text("(issued_at, key_id) < (:at, :id)").bindparams(
            at=after[0], id=after[1]))
    return [dict(row._mapping) for row in await db.execute(query)]


async def key_with_actions(db: AsyncConnection, key_id: str) -> dict:
    row = (await db.execute(select(*LISTED).where(terminal_keys.c.key_id == key_id))).first()
    if row is None:
        raise TerminalKeyNotFound(key_id)
    actions = await db.execute(
        select(terminal_key_actions.c.action, terminal_key_actions.c.actor,
               terminal_key_actions.c.reason, terminal_key_actions.c.at)
        .where(terminal_key_actions.c.key_id == key_id)
        .order_by(terminal_key_actions.c.at, terminal_key_actions.c.action))
    return {**row._mapping, "actions": [dict(a._mapping) for a in actions]}


async def _locked(db: AsyncConnection, key_id: str) -> dict:
    row = (await db.execute(select(*LISTED).where(terminal_keys.c.key_id == key_id)
                            .with_for_update())).first()
    if row is None:
        raise TerminalKeyNotFound(key_id)
    return dict(row._mapping)


def _state(row: dict) -> KeyState:
    return KeyState(row["key_id"], row["expires_at"], row["revoked_at"])


async def _audit(uow: UnitOfWork, key_id: str, action: str, actor: str, reason: str) -> None:
    await uow.connection.execute(terminal_key_actions.insert().values(
        action_id=uuid.uuid4(), key_id=key_id, action=action, actor=actor, reason=reason,
        at=uow.clock.now()))
