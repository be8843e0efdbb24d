"""problem+json (RFC 9457) errors with stable codes, for every failure a client can cause.

Routes raise `Problem(status, code, detail)`; the rules raise `RuleViolation`s
(shared/rule_violations.py), answered with their own status and code; validation errors become 422
`invalid_request` with the offending fields (422 `datetime_out_of_range` when a moment is
outside shared/http/moments.py's range); a body that is not JSON becomes 400
`malformed_json`; a database outage becomes 503 `service_unavailable` with `Retry-After`
(shared/http/outages.py), and so does a broker error; anything else unexpected becomes a
500 problem (logged) rather than a stack trace. Clients switch on `code`, never on `title` or `detail`.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.http.moments import OUT_OF_RANGE
from shared.http.outages import OUTAGE_ERRORS, RETRY_AFTER_SECONDS, is_database_outage
from shared.rule_violations import RuleViolation
from shared.structured_logging import get_logger

log = get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    def __init__(
        self, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers, self.extra = headers or {}, extra


def problem_response(
    request: Request, status: int, code: str, detail: str,
    headers: dict[str, str] | None = None, **extra: Any,
) -> Response:
    body = {
        "type": f"https://patronage.dev/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return problem_response(request, error.status, error.code, error.detail, error.headers,
                            **error.extra)


async def _on_rule_violation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RuleViolation)
    return problem_response(request, error.status, error.code, error.detail, **error.extra)


async def _on_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in error.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(request, 400, "malformed_json", "The body is not valid JSON.")
    if any(e["type"] == OUT_OF_RANGE for e in errors):
        return problem_response(request, 422, OUT_OF_RANGE,
                                "A moment is outside the range this API accepts.", errors=errors)
    return problem_response(request, 422, "invalid_request",
                            "The request does not match the schema.", errors=errors)


async def _on_http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
            403: "forbidden"}.get(error.status_code, f"http_{error.status_code}")
    return problem_response(request, error.status_code, code, str(error.detail),
                            dict(error.headers or {}))


async def _on_database_error(request: Request, error: Exception) -> Response:
    """Registered per exception class so that Starlette answers it and does not re-raise
    it (as it does after a 500 handler) into a traceback per request."""
    outage = getattr(request.app.state, "database_outage", None)
    if outage is None or not is_database_outage(error):
        raise error  # not an outage: the 500 handler below answers and logs it
    outage.failed(error)
    return problem_response(
        request, 503, "service_unavailable",
        "The service cannot reach its database; try again shortly.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _on_broker_error(request: Request, error: Exception) -> Response:
    """No route needs the broker today (events go through the outbox); one that ever does
    must not answer 500, nor success for an outcome it does not know."""
    log.warning("broker_unavailable", path=request.url.path, error_type=type(error).__name__)
    return problem_response(request, 503, "service_unavailable",
                            "The service cannot reach its message broker; try again shortly.",
                            {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path, error=repr(error))
    return problem_response(request, 500, "internal_error", "Something went wrong on our side.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RuleViolation, _on_rule_violation)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for kind in (*OUTAGE_ERRORS, DBAPIError):
        app.add_exception_handler(kind, _on_database_error)
    app.add_exception_handler(KafkaError, _on_broker_error)
    app.add_exception_handler(Exception, _on_unexpected)


# What every problem_response body holds, so that a client (and the fuzzer,
# tests/integration/fuzz) can rely on it; some problems add fields (e.g. `errors`).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail", "instance"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string"}, "detail": {"type": "string"}, "instance": {"type": "string"},
    },
}


def problem_doc(description: str) -> dict[str, Any]:
    """One documented problem+json response, for a route that answers a status the
    routers' PROBLEM_RESPONSES do not list (e.g. `responses={423: problem_doc(...)}`)."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: problem_doc(description)
    for status, description in {
        400: "Malformed request", 401: "Not authenticated", 403: "Not allowed",
        404: "Not found", 409: "Conflict", 413: "Body too large", 422: "Invalid request",
        429: "Rate limited or locked out; retry after `Retry-After` seconds",
        503: "The database cannot be reached; retry after `Retry-After` seconds",
    }.items()
}
