"""The data map's vocabulary: which column of a service's tables holds personal data, what
kind, and what an erasure does to it (docs/privacy.md is rendered from these).

Each service declares its own in `services/<name>/store/personal_data.py`:
`PERSONAL_DATA` (the columns that hold personal data) and `LOOKALIKES` (columns whose name
sounds personal but is not, with the reason). A unit test scans every table of every
service for names that sound personal and fails on one that is in neither, so a new column
of that kind cannot be added silently; the same test renders the map and compares it with
docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# deleted: the value (or the row) is gone. pseudonymised: replaced by a value that cannot
# be traced back to the member. kept: stays, with the reason (money, or not identifying).
Treatment = Literal["deleted", "pseudonymised", "kept"]


@dataclass(frozen=True)
class PersonalColumn:
    table: str
    column: str
    kind: str  # phone, email, birthday, address, push token, free text, message body...
    treatment: Treatment
    why: str


@dataclass(frozen=True)
class Lookalike:
    """A column whose name sounds personal (a coupon template's `name`) and is not."""

    table: str
    column: str
    why: str


# Every service keeps its parts of members' data exports (shared/db/data_export_parts.py):
# a copy of everything else on the map, deleted with the member's data.
EXPORT_PARTS = PersonalColumn(
    "data_export_parts", "content", "data export", "deleted",
    "the member's export parts are deleted: they copy the rest of their data")


# The messaging tables every service has (shared/db/messaging_tables.py).
MESSAGING_LOOKALIKES = (
    Lookalike("outbox", "last_error", "the relay's error publishing an event; events carry "
              "no contact details (tests/unit/events/test_event_privacy.py)"),
)
