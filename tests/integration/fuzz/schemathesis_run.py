"""Driving schemathesis over one service's OpenAPI document on the test's event loop.

schemathesis' own `case.call()` runs an ASGI app through a synchronous client on another
event loop, where the service's asyncpg pool cannot live; so hypothesis draws the cases in a
thread (as tests/integration/wallet/hypothesis_on_loop.py does) and each request goes
through an httpx ASGI client on the test's loop. `case.validate_response` then applies
schemathesis' checks to the answer.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.http.ids import REFERENCE_PATTERN

ENUMERATED_REFERENCE_PATTERN = (r"^[^\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f"
                                r"\u2028-\u202e\u2060-\u2069\ufeff]+$")
# The run in CI is fixed and bounded; PATRONAGE_FUZZ_SEED / PATRONAGE_FUZZ_EXAMPLES replay
# a failure or run longer.
SEED = int(os.environ.get("PATRONAGE_FUZZ_SEED", "1414"))
EXAMPLES = int(os.environ.get("PATRONAGE_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@dataclass
class FuzzReport:
    service: str
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.service}: {self.requests} requests (seed {SEED}, {EXAMPLES} examples per "
                f"operation), statuses {dict(sorted(self.statuses.items()))}, "
                f"{len(self.failures)} failing operations")


def generatable(node):
    """The reference grammar's pattern (shared/http/ids.py) names Unicode categories
    (`\\p{Cc}`...), which ECMA-262 and the services' validator read but schemathesis cannot
    generate from; the fuzzer generates from the same pattern spelt as the ranges of those
    categories that matter (controls, soft hyphen, bidi and zero-width marks, separators,
    BOM). The services still validate with their own pattern."""
    if isinstance(node, dict):
        return {key: ENUMERATED_REFERENCE_PATTERN if key == "pattern" and value == REFERENCE_PATTERN
                else generatable(value) for key, value in node.items()}
    if isinstance(node, list):
        return [generatable(value) for value in node]
    return node


def _as_httpx(kwargs: dict) -> dict:
    """schemathesis serialises a case for `requests`; httpx names the raw body `content`."""
    sent = {key: kwargs[key] for key in ("method", "url", "headers", "params") if key in kwargs}
    if "json" in kwargs:
        sent["json"] = kwargs["json"]
    elif isinstance(kwargs.get("data"), bytes | str):
        sent["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        sent["data"] = kwargs["data"]
    return sent


async def fuzz_service(name: str, client: httpx.AsyncClient, credentials: list[dict[str, str]]
                       ) -> FuzzReport:
    """Every operation of the service, positive and negative cases, each with one of the
    credentials; a failing operation is recorded (hypothesis' shrunk example) and the
    others still run."""
    loop = asyncio.get_running_loop()
    document = (await client.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(generatable(document))
    report = FuzzReport(name)

    async def exchange(case, headers: dict[str, str]) -> None:
        # The security schemes make schemathesis generate credentials of its own; the
        # fuzzer sends the test's instead (two credentials at once are refused with 401).
        for name in ("authorization", "x-api-key"):
            (case.headers or {}).pop(name, None)
        kwargs = _as_httpx(case.as_transport_kwargs(base_url=str(client.base_url), headers=headers))
        response = await client.request(**kwargs)
        report.requests += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=[*CHECKS, negative_data_rejection],
                               headers=kwargs["headers"])

    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
                          operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate, Phase.shrink])
        @given(case=cases, headers=st.sampled_from(credentials))
        def run(case, headers):
            asyncio.run_coroutine_threadsafe(exchange(case, headers), loop).result()

        try:
            await asyncio.to_thread(run)
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis raises a FailureGroup
            report.failures.append(f"{operation.label}: {failure}")
    return report
