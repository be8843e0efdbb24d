"""Checking answers a test got by other means (a state machine, a scenario) against the
service's OpenAPI document, with the same schemathesis checks as the fuzzer: documented
status code, content type, headers and body."""

from __future__ import annotations

import httpx
import schemathesis

from tests.integration.fuzz.schemathesis_run import CHECKS, generatable


class Documented:
    def __init__(self, document: dict) -> None:
        self.schema = schemathesis.openapi.from_dict(generatable(document))

    @classmethod
    async def of(cls, client: httpx.AsyncClient) -> Documented:
        return cls((await client.get("/openapi.json")).json())

    def check(self, response: httpx.Response) -> None:
        request = response.request
        operation = self.schema.find_operation_by_path(request.method, request.url.path)
        assert operation is not None, f"{request.method} {request.url.path} is not documented"
        template, sent = operation.path.split("/"), request.url.path.split("/")
        parameters = {name[1:-1]: value for name, value in zip(template, sent, strict=True)
                      if name.startswith("{")}
        operation.Case(path_parameters=parameters).validate_response(response, checks=CHECKS)
