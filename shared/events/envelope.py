"""The envelope every Patronage event carries, and the base class of the catalog.

An event is a frozen pydantic model. Its name, version and producer are class-level facts
(`event_type`, `event_version`, `producer`); they are serialised as `type`, `version` and
`producer` so a consumer reading raw JSON sees them too, and ignored on parsing because the
class already knows them. Unknown fields are ignored on parsing so that additive changes
within a version never break an older consumer.

The field types below are shared by every producer's module, so that one idea (an id, an
amount, a moment) is spelled and constrained the same way across the whole catalog.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    computed_field,
)

from shared.events.card_numbers import refuse_card_numbers_in_json
from shared.http.ids import ID_PATTERN

EntityId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_ONE_ID_GRAMMAR = re.compile(ID_PATTERN)


def in_id_grammar(member_id: str) -> str:
    if not _ONE_ID_GRAMMAR.match(member_id):
        raise ValueError("a member id is 1-64 of A-Z a-z 0-9 _ . : @ -")
    return member_id


# A member id in an event follows the same grammar as in every service's paths and bodies
# (shared/http/ids.py): an id with a bidi override or a zero-width space would be a key
# and a subject that one consumer shows reversed and another refuses. Checked after
# parsing rather than declared as a schema `pattern`: the released v1 schemas said "1-64
# characters", and narrowing a published field would break the contract
# (shared/events/evolution.py); Patronage's APIs never accepted another member id anyway.
MemberId = Annotated[EntityId, AfterValidator(in_id_grammar)]
Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217 code, e.g. CNY.")
]
# Strict: money is an integer on the wire, never "100" or 100.0, and never a Decimal that
# slipped out of a SQL SUM(); such a value is refused loudly rather than coerced.
MinorUnits = Annotated[
    int, Strict(), Field(ge=0, description="Amount in minor units (cents/fen).")
]
SignedMinorUnits = Annotated[int, Strict(), Field(description="Signed amount in minor units.")]
FreeText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
SalesChannel = Literal["pos", "app", "online"]


def _in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# The catalog promises UTC: any aware time is accepted and normalised, so the JSON always
# ends in `Z` and two events for the same instant serialise identically.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class ValueObject(BaseModel):
    """A small value nested inside an event (a line item, a rule): frozen like its event."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    producer_name: ClassVar[str]

    event_id: UUID = Field(default_factory=uuid4, description="Globally unique; the dedup key.")
    occurred_at: UtcDatetime = Field(description="When it happened (UTC).")
    member_id: MemberId = Field(description="The member the event is about; the Kafka key.")
    correlation_id: UUID | None = Field(
        default=None, description="The event_id of the first event of this chain of causes.")
    causation_id: UUID | None = Field(
        default=None, description="The event_id of the event that directly caused this one.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def type(self) -> str:
        return self.event_type

    @computed_field  # type: ignore[prop-decorator]
    @property
    def version(self) -> int:
        return self.event_version

    @computed_field  # type: ignore[prop-decorator]
    @property
    def producer(self) -> str:
        return self.producer_name

    @classmethod
    def ce_type(cls) -> str:
        """CloudEvents `type`, e.g. `patronage.wallet.RechargeCompleted.v1`."""
        return f"patronage.{cls.producer_name}.{cls.event_type}.v{cls.event_version}"

    def caused(self, **envelope: object) -> dict[str, object]:
        """Envelope fields for an event that this one causes: same correlation, causation = self."""
        return {
            "member_id": self.member_id,
            "correlation_id": self.correlation_id or self.event_id,
            "causation_id": self.event_id,
            **envelope,
        }

    def to_json(self) -> bytes:
        """The payload as published; refuses a card number in any string (card_numbers.py)."""
        payload = self.model_dump_json().encode()
        refuse_card_numbers_in_json(payload, type(self).__name__)
        return payload
