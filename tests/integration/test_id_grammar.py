"""One id grammar in every service: a member id with a bidi override, a zero-width space
or a NUL is refused with 422 in paths and bodies everywhere (the wallet and tiering took
them, rewards refused them), and a plain one is accepted."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest

from shared.http.ids import ID_PATTERN
from tests.support.auth import ops_headers, pos_headers

pytestmark = pytest.mark.integration

HIDDEN = {"bidi override": "m_1\u202e9", "zero-width space": "m_\u200b1",
          "zero-width joiner": "m\u200d_1", "NUL": "m_1\x00"}
MEMBER_PATHS = [("wallet", "/v1/wallets/{}"), ("tiering", "/v1/members/{}"),
                ("rewards", "/v1/members/{}/points"),
                ("referral", "/v1/members/{}/referral-code"),
                ("notifier", "/v1/members/{}/inbox")]
OPS = ops_headers("ops:report", "ops:review", "ops:pii")


async def test_every_service_refuses_a_member_id_that_hides_characters_in_its_paths(clients):
    for service, path in MEMBER_PATHS:
        for kind, member_id in HIDDEN.items():
            response = await clients[service].get(path.format(quote(member_id, safe="")),
                                                  headers=OPS)
            assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), (
                service, kind, response.text)
        plain = await clients[service].get(path.format("m_1"), headers=OPS)
        assert plain.status_code in (200, 404), (service, plain.text)


def recharge(member_id: str) -> dict:
    return {"member_id": member_id, "amount": 1_000, "currency": "CNY",
            "payment_method": "cash", "payment_reference": "c-1", "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos", "pos_reference": uuid.uuid4().hex}


async def test_bodies_refuse_the_same_member_ids_in_every_service(clients):
    posts = [
        ("wallet", "/v1/recharges", pos_headers("store_1"), recharge),
        ("tiering", "/v1/members", pos_headers("store_1"), lambda m: {"member_id": m}),
        ("rewards", "/v1/coupons/validate", pos_headers("store_1"),
         lambda m: {"member_id": m, "code": "C1", "basket_total": 100, "currency": "CNY"}),
    ]
    for service, path, headers, body in posts:
        for kind, member_id in HIDDEN.items():
            response = await clients[service].post(
                path, json=body(member_id), headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), (
                service, kind, response.text)
    accepted = await clients["wallet"].post("/v1/recharges", json=recharge("m_1"), headers={
        **pos_headers("store_1"), "Idempotency-Key": uuid.uuid4().hex})
    assert accepted.status_code == 201, accepted.text


MEMBER_ID_NAME = re.compile(r"^(member_id|member_ids|referrer_id|invitee_id|[a-z_]+_member_id)$")


def member_id_fields(document: dict) -> list[tuple[str, dict]]:
    """(where, schema) of every path or query parameter and request body field (at any
    depth) naming a member."""
    found, schemas = [], document.get("components", {}).get("schemas", {})
    bodies: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", ()):
                if MEMBER_ID_NAME.match(parameter["name"]) and parameter["in"] != "header":
                    found.append((f"{method.upper()} {path} {parameter['name']}",
                                  parameter["schema"]))
            bodies |= set(_refs(operation.get("requestBody", {})))
    seen: set[str] = set()
    while bodies - seen:
        name = (bodies - seen).pop()
        seen.add(name)
        for field, definition in schemas[name].get("properties", {}).items():
            if MEMBER_ID_NAME.match(field):
                found.append((f"{name}.{field}", definition))
            bodies |= set(_refs(definition))
    return found


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def accepts_only_the_grammar(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    strings = [s.get("items", s) for s in options if s.get("type") in ("string", "array")]
    return bool(strings) and all(s.get("pattern") == ID_PATTERN for s in strings)


async def test_every_member_id_a_service_takes_is_declared_with_the_one_grammar(clients):
    """Read from the services' own OpenAPI documents, so a new route or body field that
    takes a member id as a plain string fails here."""
    gaps = []
    for service, client in clients.items():
        document = (await client.get("/openapi.json")).json()
        fields = member_id_fields(document)
        assert fields, service
        gaps += [f"{service}: {where}" for where, schema in fields
                 if not accepts_only_the_grammar(schema)]
    assert gaps == [], gaps
