"""One datetime type for every moment a client sends: query parameters (`as_of`, report
periods), body fields and the moments inside paging cursors.

A moment must carry its UTC offset and lie between 1900 and 9000 in UTC. Python and
PostgreSQL hold different ranges (`0001-01-01T00:00:00+14:00` is valid ISO 8601 but is
in year 0 in UTC, which Python cannot represent; 9999-12-31 with a negative offset is in
year 10000), and a route that adds a day or a month to a moment near either end would
overflow; without this bound such inputs were 500s. Outside it the answer is 422
`datetime_out_of_range` (problems.py maps the error type to the code).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "datetime_out_of_range"


def in_range(moment: datetime) -> datetime:
    """The moment, if it lies within [EARLIEST, LATEST) in UTC; otherwise a validation error
    of type `datetime_out_of_range`."""
    try:
        inside = EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:
        inside = False
    if not inside:
        raise PydanticCustomError(
            OUT_OF_RANGE, "A moment must lie between {earliest} and {latest} (UTC).",
            {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(in_range)]


def moment_or_none(text: object) -> datetime | None:
    """A moment read from a cursor or other client text, or None when it is not an aware
    ISO 8601 datetime within range (callers answer with their own refusal)."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        return in_range(moment)
    except PydanticCustomError:
        return None
