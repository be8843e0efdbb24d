"""An audit row for every ops action, in every service, from one shared middleware: who,
with which scopes, the route, the target, the outcome, when and the request id; readable
by ops with `ops:audit`, newest first, paged. Before, only adjustments, freezes, reviews
and consent changes left a trace, each its own way, and nothing recorded an operator
trying what their scopes did not allow."""

from __future__ import annotations

import uuid

import pytest

from services.wallet.api import ops as wallet_ops
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration
CHANGES = {"post", "put", "patch", "delete"}
AUDITOR = ops_headers("ops:audit", user="ops_auditor")


async def audit(clients, service: str, **query: object) -> dict:
    response = await clients[service].get("/v1/ops/audit", params=query, headers=AUDITOR)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_adjustment_and_a_refused_freeze_are_audited_with_who_what_and_how(clients):
    adjust = {**ops_headers("ops:adjust", user="ops_alice"), "Idempotency-Key": uuid.uuid4().hex,
              "X-Request-Id": "req-adjust-1"}
    adjusted = await clients["wallet"].post("/v1/ops/adjustments", headers=adjust, json={
        "member_id": "m_audit", "currency": "CNY", "principal_delta": 500, "bonus_delta": 0,
        "reason": "goodwill (ticket 17)"})
    assert adjusted.status_code == 201, adjusted.text
    refused = await clients["wallet"].post(
        "/v1/ops/wallets/m_audit/freeze", json={"reason": "looks odd"},
        headers=ops_headers("ops:report", user="ops_bob"))
    assert refused.status_code == 403, refused.text

    newest, older = (await audit(clients, "wallet"))["items"][:2]
    assert {k: newest[k] for k in ("actor", "scopes", "method", "route", "target", "status",
                                   "outcome")} == {
        "actor": "ops:ops_bob", "scopes": ["ops:report"], "method": "POST",
        "route": "/v1/ops/wallets/{member_id}/freeze", "target": {"member_id": "m_audit"},
        "status": 403, "outcome": "refused"}
    assert newest["request_id"] == refused.headers["x-request-id"]
    assert {k: older[k] for k in ("actor", "route", "target", "status", "outcome",
                                  "request_id")} == {
        "actor": "ops:ops_alice", "route": "/v1/ops/adjustments",
        "target": {"member_id": "m_audit"}, "status": 201, "outcome": "done",
        "request_id": "req-adjust-1"}
    assert older["at"] <= newest["at"]


async def test_every_state_changing_route_of_every_service_is_audited_for_ops(clients,
                                                                             bus_platform):
    """Read from the services' own OpenAPI documents, so a new route is covered, or fails
    here, with nothing written for it."""
    operator = ops_headers(user="ops_probe")
    expected = {}
    for service, client in clients.items():
        document = (await client.get("/openapi.json")).json()
        routes = [(method.upper(), path) for path, operations in document["paths"].items()
                  for method, operation in operations.items()
                  if method in CHANGES and operation.get("security")]
        assert routes, service
        for method, path in routes:
            concrete = path.replace("{", "x").replace("}", "")  # any id will do
            response = await client.request(method, concrete, json={}, headers=operator)
            assert response.status_code < 500, (service, method, path, response.text)
        expected[service] = set(routes)
    for service, routes in expected.items():
        rows = await fetch_all(bus_platform.database_url,
                               f"SELECT method, route, outcome FROM {service}.ops_audit "
                               "WHERE actor = 'ops:ops_probe'")
        assert {(r["method"], r["route"]) for r in rows} == routes, service
        assert "failed" not in {r["outcome"] for r in rows}, (service, rows)


async def test_members_and_terminals_are_not_ops_and_leave_no_audit_row(clients, bus_platform):
    recharge = await clients["wallet"].post("/v1/recharges", headers={
        **pos_headers("store_1", "pos_1"), "Idempotency-Key": uuid.uuid4().hex}, json={
        "member_id": "m_pos", "amount": 1_000, "currency": "CNY", "payment_method": "cash",
        "payment_reference": "c-1", "store_id": "store_1", "terminal_id": "pos_1",
        "channel": "pos", "pos_reference": uuid.uuid4().hex})
    assert recharge.status_code == 201, recharge.text
    assert await fetch_all(bus_platform.database_url, "SELECT 1 FROM wallet.ops_audit") == []


async def test_the_audit_is_read_with_its_own_scope_in_pages_and_by_actor(clients):
    for n in range(3):
        await clients["tiering"].post("/v1/tiers/rules", json={},
                                      headers=ops_headers(user=f"ops_{n % 2}"))
    denied = await clients["tiering"].get("/v1/ops/audit", headers=ops_headers("ops:report"))
    assert denied.status_code == 403
    first = await audit(clients, "tiering", limit=2)
    second = await audit(clients, "tiering", limit=2, cursor=first["next_cursor"])
    ids = [e["audit_id"] for e in first["items"] + second["items"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and second["next_cursor"] is None
    by_actor = await audit(clients, "tiering", actor="ops:ops_0")
    assert [e["actor"] for e in by_actor["items"]] == ["ops:ops_0", "ops:ops_0"]
    tampered = await clients["tiering"].get("/v1/ops/audit", params={"cursor": "WyJ4Il0="},
                                            headers=AUDITOR)
    assert (tampered.status_code, tampered.json()["code"]) == (400, "invalid_cursor")


async def test_an_ops_action_that_breaks_is_on_record_as_failed(clients, bus_platform,
                                                               monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the adjustment")

    monkeypatch.setattr(wallet_ops, "adjust_wallet", broken)
    with pytest.raises(RuntimeError):
        await clients["wallet"].post("/v1/ops/adjustments", headers={
            **ops_headers("ops:adjust"), "Idempotency-Key": uuid.uuid4().hex}, json={
            "member_id": "m_bug", "currency": "CNY", "principal_delta": 1, "reason": "test"})
    [row] = await fetch_all(bus_platform.database_url,
                            "SELECT route, status, outcome FROM wallet.ops_audit")
    assert (row["route"], row["status"], row["outcome"]) == ("/v1/ops/adjustments", 500, "failed")
