"""One log line when a dependency goes away and one when it is back, not one per retry.

The relay retries a failed send with backoff for as long as the broker is down, and the
consumer retries a failed batch; each retry used to log a warning, so an hour's outage was
hundreds of identical lines per service. Now the first failure logs `began` (with the
error's type), the retries log at debug, and the first success after them logs `ended`
with how many failures there were.
"""

from __future__ import annotations

from typing import Any

from shared.structured_logging import get_logger

log = get_logger(__name__)


class OutageLog:
    def __init__(self, began: str, ended: str, **fields: Any) -> None:
        self.began, self.ended, self.fields = began, ended, fields
        self.failures = 0

    @property
    def down(self) -> bool:
        return self.failures > 0

    def failed(self, error: BaseException, **details: Any) -> None:
        self.failures += 1
        if self.failures == 1:
            log.warning(self.began, **self.fields, error_type=type(error).__name__,
                        error=repr(error)[:500], **details)
        else:
            log.debug(self.began, **self.fields, error=repr(error)[:500], failures=self.failures,
                      **details)

    def recovered(self) -> None:
        if self.failures:
            log.info(self.ended, **self.fields, failures=self.failures)
            self.failures = 0
