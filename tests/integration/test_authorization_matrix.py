"""The authorization matrix, generated from the routes themselves: every route of every
service's app × {no credentials, the member, another member, a terminal of the store,
another store's terminal, ops without the scope, ops with it}. Each route needs a rule in
tests/support/authorization_rules.py — a route without one fails here, so a new route
cannot ship unchecked. Wrong callers get 401 (none) or 403 (404 where a stored record is
hidden); the right callers get neither, nor a 5xx. Bodies and query strings are valid, so a
refusal is the authorization's and not the validation's (422 would hide a missing check)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from shared.db.engine import plain_url, with_database
from shared.http.scopes import OPS_SCOPES
from shared.settings import PlatformSettings
from shared.transport import BusTransport
from tests.conftest import UNLIMITED
from tests.integration.wallet import payments
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.authorization_rules import RULES, Rule
from tests.support.runtime import running
from tests.support.services import NOTIFIER, REFERRAL, REWARDS, TIERING, WALLET

pytestmark = pytest.mark.integration

OWNER, OTHER = "m_owner", "m_other"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
PATH_VALUES = {
    "member_id": OWNER, "member_number": "N-0001", "version": "1", "provider_name": "fakepay",
    "channel": "email", "category": "marketing", "token": "not-a-token", "code": "ABCD2345",
    "offer_id": "offer_1", "kind": "renewal_reminder", "referral_id": "ref_1",
}
# Signature headers that do not verify: a signed route must refuse even an ops token.
BAD_SIGNATURES = {"Patronage-Signature": "t=0,v1=00", "X-Patronage-Timestamp": "0",
                  "X-Patronage-Signature": "00"}


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient


@pytest.fixture(scope="module")
async def services(postgres, migrated_template) -> AsyncIterator[dict[str, Service]]:
    """Every service once for the whole matrix, in-process on its own database."""
    name = f"matrix_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(plain_url(postgres.dsn))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    finally:
        await admin.close()
    # limits off, as in the shared fixtures: the matrix calls one member's routes far more
    # often than a person would (the limits' own tests check them)
    platform = PlatformSettings(environment="test", database_url=with_database(postgres.dsn, name),
                                topic_prefix=f"{name}.", log_json=False, limits=UNLIMITED)
    transport, started = BusTransport(), {}
    options = {"wallet": {"settings": payments.SETTINGS}}
    runtimes = {spec.name: running(spec, platform, transport, **options.get(spec.name, {}))
                for spec in (WALLET, REWARDS, TIERING, REFERRAL, NOTIFIER)}
    try:
        for service, runtime in runtimes.items():
            app = (await runtime.__aenter__()).app
            started[service] = Service(app, httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{service}"))
        yield started
    finally:
        for service in reversed(list(started)):
            await started[service].client.aclose()
            await runtimes[service].__aexit__(None, None, None)
        admin = await asyncpg.connect(plain_url(postgres.dsn))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route in `app.routes`; FastAPI keeps an included router as
    one entry there, and `iter_route_contexts` walks into it."""
    for route in iter_route_contexts(app.routes):
        assert route.path and route.methods, f"a route the matrix cannot read: {route!r}"
        for method in sorted(route.methods - SKIPPED_METHODS):
            yield method, route.path


def callers(rule: Rule) -> Iterator[tuple[str, dict[str, str], bool]]:
    """(who, headers, let in?) for every caller the rule is tried with."""
    if rule.public == "open":
        yield "no credentials", {}, True
        return
    if rule.public == "signed":
        yield "no credentials, bad signature", BAD_SIGNATURES, False
        yield "ops with every scope, bad signature", {**BAD_SIGNATURES, **ops_headers(*OPS_SCOPES)}, False
        return
    yield "no credentials", {}, False
    yield "the member", member_headers(OWNER), rule.member or rule.anyone
    yield "another member", member_headers(OTHER), rule.anyone
    yield "a terminal of the store", pos_headers("store_1", "pos_1"), rule.anyone or rule.pos != "no"
    yield "another store's terminal", pos_headers("store_9", "pos_9"), rule.anyone or rule.pos == "any"
    others = sorted(set(OPS_SCOPES) - rule.ops)
    yield f"ops with only {others or 'no scopes'}", ops_headers(*others), rule.anyone
    for scope in sorted(rule.ops):
        yield f"ops with {scope}", ops_headers(scope), True


def example_body(app: FastAPI, method: str, path: str) -> dict | None:
    """The request body's first OpenAPI example, made about the matrix's member and store."""
    operation = app.openapi()["paths"].get(path, {}).get(method.lower(), {})
    schema = operation.get("requestBody", {}).get("content", {}).get(
        "application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = app.openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    example = dict((schema.get("examples") or [{}])[0])
    example.pop("terminal_id", None)  # the key says which terminal; a member app names none
    return example | {key: value for key, value in (("member_id", OWNER), ("store_id", "store_1"))
                      if key in example}


def refused(who: str, status: int, rule: Rule) -> bool:
    if who == "no credentials":
        return status == 401
    return status in ((401, 403) if rule.public else (403, 404) if rule.record else (403,))


async def check_service(service: Service, rules: dict[tuple[str, str], Rule],
                        path_values: dict[str, str]) -> list[str]:
    problems: list[str] = []
    found = set(routes(service.app))
    problems += [f"{m} {p}: no rule (add one to tests/support/authorization_rules.py)"
                 for m, p in sorted(found - rules.keys())]
    problems += [f"{m} {p}: a rule for a route that does not exist" for m, p in sorted(rules.keys() - found)]
    for method, path in sorted(found & rules.keys()):
        rule = rules[(method, path)]
        url = re.sub(r"{(\w+)(:\w+)?}",
                     lambda m: path_values.get(m.group(1)) or str(uuid.uuid4()), path)
        body = rule.body if rule.body is not None else example_body(service.app, method, path)
        for who, headers, let_in in callers(rule):
            response = await service.client.request(
                method, url, params=rule.query, json=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            status = response.status_code
            answer = f"{method} {path}: {who} should be %s, got {status} {response.text[:200]}"
            if let_in and (status in (401, 403) or status >= 500):
                problems.append(answer % "let in")
            elif not let_in and not refused(who, status, rule):
                problems.append(answer % "refused")
    return problems


async def seed_wallet(client: httpx.AsyncClient) -> dict[str, str]:
    """A recharge and a purchase by store_1 for the member, and the member's payment intent,
    so that hiding them from other members and stores is really tried."""
    terminal = {**pos_headers("store_1", "pos_1")}
    recharge = await client.post("/v1/recharges", headers={**terminal, "Idempotency-Key": "seed-r"}, json={
        "member_id": OWNER, "amount": 10_000, "currency": "CNY", "payment_method": "cash",
        "payment_reference": "seed", "pos_reference": "seed-1"})
    purchase = await client.post("/v1/purchases", headers={**terminal, "Idempotency-Key": "seed-p"}, json={
        "member_id": OWNER, "order_reference": "seed-1", "currency": "CNY", "total": 1_000,
        "tenders": [{"method": "stored_value", "amount": 1_000}]})
    intent = await payments.create_intent(client, OWNER, amount=5_000)
    assert [r.status_code for r in (recharge, purchase, intent)] == [201, 201, 201], (
        recharge.text, purchase.text, intent.text)
    return {"recharge_id": recharge.json()["recharge_id"],
            "purchase_id": purchase.json()["purchase_id"], "intent_id": intent.json()["intent_id"]}


@pytest.mark.parametrize("name", list(RULES))
async def test_every_route_lets_in_only_the_callers_its_rule_names(services, name):
    service = services[name]
    path_values = dict(PATH_VALUES)
    if name == "wallet":
        path_values |= await seed_wallet(service.client)
    problems = await check_service(service, RULES[name], path_values)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
