"""Credentials for tests, signed with the platform's default (dev/test) secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.http.auth import Principal, issue_token
from shared.settings import DEV_JWT_SECRET


def token(principal: Principal, secret: str = DEV_JWT_SECRET) -> str:
    return issue_token(secret, principal, datetime.now(UTC), timedelta(hours=1))


def pos_headers(store: str = "store_1", terminal: str = "pos_1") -> dict[str, str]:
    return {"X-Api-Key": token(Principal("pos", terminal, store_id=store))}


def member_headers(member_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(Principal('member', member_id))}"}


def ops_headers(*scopes: str, user: str = "ops_alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(Principal('ops', user, scopes=frozenset(scopes)))}"}
