"""Tokens are pinned: HS256 only, our issuer, the role's own audience, an expiry and a key
id required. Before this, a token without `iss`/`aud`/`jti` was accepted and a membership
quote signed with the same secret named no role but could not be told apart by audience."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.http.auth import AUDIENCES, ISSUER, Principal, issue_token, read_token, verified
from shared.http.problems import Problem
from shared.http.revoked_keys import RevokedKeys
from shared.http.verified_tokens import VerifiedTokens
from shared.settings import DEV_JWT_SECRET

NOW = datetime.now(UTC)
POS = Principal("pos", "pos_1", store_id="store_1", key_id="tk_1")


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": ISSUER, "aud": AUDIENCES["pos"], "sub": "pos_1", "role": "pos", "store": "store_1",
        "jti": "tk_1", "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(hours=1)).timestamp())}
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def signed(**changes: object) -> str:
    return jwt.encode(claims(**changes), DEV_JWT_SECRET, algorithm="HS256")


def unsigned(**changes: object) -> str:
    """`alg: none`: header and claims, no signature."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims(**changes))}."


def refused(token: str) -> Problem:
    with pytest.raises(Problem) as refusal:
        read_token(DEV_JWT_SECRET, token)
    assert (refusal.value.status, refusal.value.code) == (401, "unauthorized")
    return refusal.value


def test_a_token_we_issue_names_issuer_audience_expiry_and_key_id():
    token = issue_token(DEV_JWT_SECRET, POS, NOW, timedelta(hours=1))
    decoded = jwt.decode(token, options={"verify_signature": False})
    assert (decoded["iss"], decoded["aud"], decoded["jti"]) == (ISSUER, "patronage:pos", "tk_1")
    assert decoded["exp"] == int((NOW + timedelta(hours=1)).timestamp())
    assert read_token(DEV_JWT_SECRET, token).key_id == "tk_1"
    assert read_token(DEV_JWT_SECRET, signed()) == POS


def test_alg_none_is_refused():
    refused(unsigned())


@pytest.mark.filterwarnings("ignore:The HMAC key")
def test_another_algorithm_with_the_same_secret_is_refused():
    refused(jwt.encode(claims(), DEV_JWT_SECRET, algorithm="HS512"))


@pytest.mark.parametrize("audience", ["patronage:membership-quote", "someone-else", None])
def test_a_foreign_or_missing_audience_is_refused(audience):
    refused(signed(aud=audience))


def test_an_audience_of_another_role_is_refused():
    assert "audience" in refused(signed(aud=AUDIENCES["ops"])).detail


def test_an_audience_list_is_not_a_skeleton_key():
    refused(signed(aud=[AUDIENCES["pos"], AUDIENCES["ops"]], role="ops"))


@pytest.mark.parametrize("missing", ["exp", "iss", "jti"])
def test_a_token_missing_a_required_claim_is_refused(missing):
    refused(signed(**{missing: None}))


def test_another_issuer_is_refused():
    refused(signed(iss="elsewhere"))


def test_an_expired_token_is_refused():
    refused(signed(exp=int((NOW - timedelta(seconds=1)).timestamp())))


def test_a_revoked_key_is_refused_even_once_cached_and_only_from_its_moment():
    clock = [NOW.timestamp()]
    revoked, cache, token = RevokedKeys(clock=lambda: clock[0]), VerifiedTokens(), signed()
    assert verified(DEV_JWT_SECRET, cache, token, revoked) == POS  # now cached
    revoked.replace({"tk_1": NOW.timestamp() + 60})  # a rotation's overlap: one more minute
    assert verified(DEV_JWT_SECRET, cache, token, revoked) == POS
    clock[0] += 60
    with pytest.raises(Problem) as refusal:
        verified(DEV_JWT_SECRET, cache, token, revoked)
    assert (refusal.value.status, refusal.value.detail) == (401, "This key was revoked.")
    assert verified(DEV_JWT_SECRET, cache, signed(jti="tk_2"), revoked) == POS
