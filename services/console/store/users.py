"""Ops users: adding one, and checking a login against the stored argon2id hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.rules.roles import scopes_of
from services.console.store.tables import users
from shared.rule_violations import RuleViolation

HASHER = PasswordHasher()  # argon2id with the library's current parameters
# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DECOY_HASH = HASHER.hash("not-a-password-of-anyone")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class OpsUser:
    username: str
    role: str

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_of(self.role)


async def add_user(connection: AsyncConnection, username: str, password: str, role: str,
                   now: datetime, *, replace: bool = False) -> OpsUser:
    scopes_of(role)  # refuses an unknown role
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation("password_too_short",
                            f"A console password has at least {MIN_PASSWORD_LENGTH} characters.")
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise RuleViolation("invalid_username", "A user name is letters, digits, . - _ only.")
    values = {"username": username, "password_hash": HASHER.hash(password), "role": role,
              "active": True, "created_at": now}
    statement = insert(users).values(**values)
    if replace:
        statement = statement.on_conflict_do_update(
            index_elements=["username"],
            set_={"password_hash": values["password_hash"], "role": role, "active": True})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["username"])
    result = await connection.execute(statement)
    if result.rowcount == 0:
        raise RuleViolation("username_taken", f"There already is a console user {username!r}.")
    return OpsUser(username, role)


async def check_login(connection: AsyncConnection, username: str, password: str) -> OpsUser | None:
    row = (await connection.execute(
        select(users.c.password_hash, users.c.role, users.c.active)
        .where(users.c.username == username))).first()
    try:
        HASHER.verify(row.password_hash if row else _DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return OpsUser(username, row.role)
