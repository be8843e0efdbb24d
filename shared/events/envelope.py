"""The envelope every Patronage event carries, and the base class of the catalog.

An event is a frozen pydantic model. Its name, version and producer are class-level facts
(`event_type`, `event_version`, `producer`); they are serialised as `type`, `version` and
`producer` so a consumer reading raw JSON sees them too, and ignored on parsing because the
class already knows them. Unknown fields are ignored on parsing so that additive changes
within a version never break an older consumer.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, computed_field

MemberId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MinorUnits = Annotated[int, Field(ge=0, description="Amount in minor units (cents/fen).")]
SignedMinorUnits = Annotated[int, Field(description="Signed amount in minor units.")]


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    producer_name: ClassVar[str]

    event_id: UUID = Field(default_factory=uuid4, description="Globally unique; the dedup key.")
    occurred_at: AwareDatetime
    member_id: MemberId = Field(description="The member the event is about; the Kafka key.")
    correlation_id: UUID | None = None
    causation_id: UUID | None = None

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
        return self.model_dump_json().encode()

