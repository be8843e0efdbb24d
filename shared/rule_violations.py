"""What a rule refuses: one base for every service's refusals, pure (no web framework).

Rules raise a `RuleViolation` (or a subclass) with a stable `code` clients switch on and a
`detail` for people. Its `status` says what kind of refusal it is, so one handler in
`shared.http.problems` turns any of them into problem+json without a per-service mapping:
422 the request breaks a rule, 404 what it names does not exist, 409 it conflicts with
what already happened. A handler that raises one while consuming an event gets the
consumer's retries and, in the end, the dead-letter topic, like any other failure.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RuleViolation(Exception):
    status: ClassVar[int] = 422

    def __init__(self, code: str, detail: str, *, status: int | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra
        if status is not None:
            self.status = status  # type: ignore[misc]  # per instance, over the class's


class NotFound(RuleViolation):
    status = 404


class Conflict(RuleViolation):
    status = 409
