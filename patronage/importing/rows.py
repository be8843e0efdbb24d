"""The four kinds of import row and what makes one valid on its own. Amounts are integers
in minor units, moments carry their UTC offset (`shared.http.moments.Moment`), ids follow
the platform's id grammar (`shared.http.ids`). A member row takes the same fields, checked
the same way, as the enrolment route (`EnrollRequest`), plus the tier and the day of joining
carried over from the previous system."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.tiering.api.schemas import EnrollRequest
from shared.http.ids import Id
from shared.http.moments import Moment

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MinorUnits = Annotated[int, Field(ge=0, le=10**13)]
TierName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")]


class MemberRow(EnrollRequest):
    """Keyed by `member_id`."""

    tier: TierName | None = Field(default=None, description="The tier held in the previous "
                                  "system, kept until the first review here.")
    enrolled_at: Moment | None = Field(default=None, description="When they first joined.")

    def key(self) -> str:
        return self.member_id


class ImportRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    import_id: Id = Field(description="The row's id in the previous system: the import key.")
    member_id: Id

    def key(self) -> str:
        return self.import_id


class BalanceRow(ImportRow):
    currency: Currency
    principal: MinorUnits = 0
    bonus: MinorUnits = 0
    bonus_expires_at: Moment | None = None

    @model_validator(mode="after")
    def _something_to_open(self) -> BalanceRow:
        if self.principal + self.bonus == 0:
            raise ValueError("principal and bonus are both 0: nothing to import")
        return self


class HistoryRow(ImportRow):
    kind: Literal["purchase", "recharge"]
    amount: Annotated[int, Field(gt=0, le=10**13)]
    currency: Currency
    occurred_at: Moment


class TermRow(ImportRow):
    term_start: Moment
    term_end: Moment
    price: MinorUnits = 0
    currency: Currency

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> TermRow:
        if self.term_end <= self.term_start:
            raise ValueError("term_end is not after term_start")
        return self


ROWS: dict[str, type[BaseModel]] = {
    "members": MemberRow, "balances": BalanceRow, "history": HistoryRow, "terms": TermRow}
Kind = Literal["members", "balances", "history", "terms"]
