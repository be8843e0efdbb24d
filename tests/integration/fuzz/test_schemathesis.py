"""schemathesis against every service's OpenAPI document, on the real services (in-process
ASGI apps on the session's PostgreSQL): with credentials that get past authentication (an
ops token with every scope, a POS key, a member's token), no answer is a 5xx and every
answer matches what the document says (status code, content type, headers, body)."""

from __future__ import annotations

import pytest

from shared.http.problems import PROBLEM_JSON
from tests.integration.fuzz.schemathesis_run import fuzz_service
from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration

EVERY_SCOPE = ("ops:adjust", "ops:config", "ops:refund", "ops:report", "ops:review", "ops:risk")
CREDENTIALS = [ops_headers(*EVERY_SCOPE), pos_headers("store_1"), member_headers("m_fuzz")]


@pytest.mark.parametrize("service", ["wallet", "tiering", "rewards", "referral", "notifier"])
async def test_every_operation_answers_as_documented(clients, service):
    report = await fuzz_service(service, clients[service], CREDENTIALS)
    print(report.summary())
    assert report.requests > 0
    assert not report.failures, "\n\n".join([report.summary(), *report.failures])


async def test_every_documented_error_is_a_problem_with_its_fields(clients):
    """Each 4xx/5xx an operation documents is application/problem+json with the fields every
    problem carries (the documents listed the media type with no schema, so nothing said a
    client could rely on `code`)."""
    checked = 0
    for service, client in clients.items():
        document = (await client.get("/openapi.json")).json()
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                for status, answer in operation["responses"].items():
                    if status[0] not in "45":
                        continue
                    schema = answer.get("content", {}).get(PROBLEM_JSON, {}).get("schema", {})
                    assert set(schema.get("required", ())) >= {"code", "status", "detail"}, (
                        service, method, path, status, answer)
                    checked += 1
    assert checked > 100, checked
