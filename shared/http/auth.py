"""Who is calling: POS terminals, members and ops, all as signed JWTs (PyJWT, HS256).

Every token names its issuer (`iss: patronage`), an audience per role (`aud:
patronage:pos|member|ops`), an expiry and a key id (`jti`); decoding pins HS256 and
requires all of them, so `alg: none`, a token made for another audience (a membership
quote, another role) or one without an expiry is 401 `unauthorized`.

- A POS terminal sends `X-Api-Key: <token>`; the token says `role=pos`, its terminal id
  (`sub`) and the store it belongs to (`store`), plus any extra stores it was granted.
  Terminal keys are issued by the wallet's registry (`POST /v1/ops/terminals/keys`) and
  expire; a revoked key id is refused by every service (`revoked_keys.py`).
- A member app sends `Authorization: Bearer <token>` with `role=member` and the member id
  as `sub`: a member sees and moves only their own money.
- Ops tools send `Authorization: Bearer <token>` with `role=ops` and scopes such as
  `ops:review`, `ops:config`, `ops:adjust`, `ops:report`.

Routes declare what they need with the `Caller` dependency and the `require_*` checks;
failures are problem+json 401 `unauthorized` / 403 `forbidden`. `authenticate` is a
coroutine (a plain function would be run in a worker thread on every request) and keeps
the tokens it verified until they expire (`verified_tokens.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from shared.http.problems import Problem
from shared.http.revoked_keys import RevokedKeys
from shared.http.verified_tokens import VerifiedTokens

Role = Literal["pos", "member", "ops"]
ALGORITHM = "HS256"
ISSUER = "patronage"
AUDIENCES: dict[str, str] = {role: f"patronage:{role}" for role in ("pos", "member", "ops")}
REQUIRED_CLAIMS = ["iss", "aud", "sub", "role", "exp", "jti"]


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str
    store_id: str | None = None
    extra_stores: frozenset[str] = frozenset()
    scopes: frozenset[str] = field(default_factory=frozenset)
    # The token's `jti`: a terminal key's id in the wallet's registry, what revocation names.
    key_id: str | None = field(default=None, compare=False)

    @property
    def identity(self) -> str:
        """Stable id for audit columns and idempotency scopes, e.g. `pos:pos_07`."""
        return f"{self.role}:{self.subject}"


def issue_token(secret: str, principal: Principal, now: datetime, ttl: timedelta) -> str:
    claims: dict[str, object] = {
        "iss": ISSUER, "aud": AUDIENCES[principal.role],
        "sub": principal.subject, "role": principal.role,
        "jti": principal.key_id or uuid.uuid4().hex,
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
    }
    if principal.store_id:
        claims["store"] = principal.store_id
    if principal.extra_stores:
        claims["stores"] = sorted(principal.extra_stores)
    if principal.scopes:
        claims["scopes"] = sorted(principal.scopes)
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Principal:
    return _verify(secret, token)[0]


def _verify(secret: str, token: str) -> tuple[Principal, float]:
    """The principal and the token's expiry (epoch seconds)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            audience=list(AUDIENCES.values()),
                            options={"require": REQUIRED_CLAIMS})
    except jwt.PyJWTError as error:
        raise Problem(401, "unauthorized", f"Invalid credentials: {error}.",
                      headers={"WWW-Authenticate": "Bearer"}) from error
    role = claims.get("role")
    if role not in ("pos", "member", "ops") or (role == "pos" and not claims.get("store")):
        raise Problem(401, "unauthorized", "The token does not name a valid role.")
    if claims["aud"] != AUDIENCES[role]:  # one audience, the role's own: no token serves two
        raise Problem(401, "unauthorized", "The token's audience is not its role's.")
    principal = Principal(
        role=role, subject=str(claims["sub"]), store_id=claims.get("store"),
        extra_stores=frozenset(claims.get("stores", ())), scopes=frozenset(claims.get("scopes", ())),
        key_id=str(claims["jti"]),
    )
    return principal, float(claims["exp"])


def verified(secret: str, cache: VerifiedTokens[Principal], token: str,
             revoked: RevokedKeys | None = None) -> Principal:
    principal = cache.get(token)
    if principal is None:
        principal, expires_at = _verify(secret, token)
        cache.put(token, principal, expires_at)
    # Checked on every request, cached token or not: a set lookup, no database round trip.
    if revoked is not None and principal.key_id is not None and revoked.is_revoked(principal.key_id):
        raise Problem(401, "unauthorized", "This key was revoked.",
                      headers={"WWW-Authenticate": "Bearer"})
    return principal


# Declared so that every route taking a `Caller` lists both schemes in its OpenAPI
# `security` (either one will do) and `/docs` can send credentials; `authenticate` still
# reads the headers itself, so a missing or wrong one gets its problem+json 401.
POS_API_KEY = APIKeyHeader(
    name="X-Api-Key", scheme_name="PosApiKey", auto_error=False,
    description="A POS terminal's key (`POST /v1/ops/terminals/keys` on the wallet).")
BEARER = HTTPBearer(
    scheme_name="Bearer", bearerFormat="JWT", auto_error=False,
    description="A member app's token, or an ops token with scopes (`patronage keys ops`).")


async def authenticate(
    request: Request,
    _pos_api_key: Annotated[str | None, Security(POS_API_KEY)] = None,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Principal:
    limiter = getattr(request.app.state, "request_limiter", None)
    if limiter is None:
        return _authenticate(request)
    # Lockouts, per-credential and per-member rates (shared/http/rate_limits.py).
    address = request.client.host if request.client else "unknown"
    credential = request.headers.get("x-api-key") or request.headers.get("authorization")
    limiter.refuse_locked_out(address, credential)
    try:
        principal = _authenticate(request)
    except Problem as problem:
        if problem.status == 401:
            limiter.authentication_failed(address, credential)
        raise
    await limiter.admit(request, principal.identity,
                        principal.subject if principal.role == "member" else None)
    return principal


def _authenticate(request: Request) -> Principal:
    state = request.app.state
    x_api_key = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization")
    if x_api_key and authorization:
        raise Problem(401, "unauthorized", "Send one credential: X-Api-Key or Authorization.")
    revoked = getattr(state, "revoked_keys", None)
    if x_api_key:
        return verified(state.jwt_secret, state.verified_tokens, x_api_key, revoked)
    if authorization and authorization.lower().startswith("bearer "):
        # kept for the ops audit (shared/http/ops_audit.py): who made this request
        request.state.caller = verified(state.jwt_secret, state.verified_tokens,
                                        authorization[7:].strip(), revoked)
        return request.state.caller
    raise Problem(401, "unauthorized", "Send X-Api-Key (POS) or Authorization: Bearer (app, ops).",
                  headers={"WWW-Authenticate": "Bearer"})


Caller = Annotated[Principal, Depends(authenticate)]


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", detail)


def require_role(caller: Principal, *roles: Role) -> None:
    if caller.role not in roles:
        raise forbidden(f"This needs one of the roles: {', '.join(roles)}.")


def require_scope(caller: Principal, scope: str) -> None:
    if caller.role != "ops" or scope not in caller.scopes:
        raise forbidden(f"This needs the ops scope {scope}.")


def require_member_access(caller: Principal, member_id: str) -> None:
    """Members reach only themselves; POS terminals and ops reach any member."""
    if caller.role == "member" and caller.subject != member_id:
        raise forbidden("A member can only act on their own account.")


def require_store(caller: Principal, store_id: str) -> None:
    """A POS terminal acts only for its own store, unless it was granted more."""
    if caller.role == "pos" and store_id != caller.store_id and store_id not in caller.extra_stores:
        raise forbidden(f"This terminal may not act for store {store_id}.")


def can_see_store(caller: Principal, store_id: str | None) -> bool:
    if caller.role != "pos":
        return True
    return store_id == caller.store_id or store_id in caller.extra_stores
