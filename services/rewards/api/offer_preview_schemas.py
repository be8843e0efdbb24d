"""Bodies of the offer preview: draft versions of the recharge offers and a sample recharge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictInt

from services.rewards.api.schemas import Amount, Currency, OfferVersionRequest, Strict
from shared.http.ids import Id
from shared.http.moments import Moment

# Only these kinds decide a recharge's bonus (rules/offers.py); spend offers are not previewed.
RECHARGE_KINDS = ("ladder", "first_recharge", "cumulative", "campaign")


class DraftOffer(OfferVersionRequest):
    """A version not yet published: the body `POST /v1/offers/{offer_id}/versions` would take."""

    offer_id: Id


class SampleRecharge(Strict):
    amount: Amount
    at: Moment | None = Field(default=None, description="Default: now.")
    is_first_recharge: StrictBool = False
    lifetime_before: Annotated[StrictInt, Field(ge=0, le=10**13)] = Field(
        default=0, description="Lifetime recharges before this one, net of refunds.")
    tier: Id | None = None
    segments: list[Literal["new", "dormant", "high_value"]] = Field(
        default=[], description="Built-in segments the member is in at the recharge.")
    segment_ids: list[Id] = Field(default=[], max_length=20,
                                  description="Data segments the member is in.")


class OfferPreviewRequest(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "currency": "CNY",
        "drafts": [{"offer_id": "ladder_cny", "kind": "ladder", "name": "Winter ladder",
                    "currency": "CNY", "terms": {"rungs": [[10000, 1500], [50000, 9000]]}}],
        "recharge": {"amount": 50000, "is_first_recharge": True}}]})

    currency: Currency = "CNY"
    drafts: list[DraftOffer] = Field(default=[], max_length=20)
    recharge: SampleRecharge


class PreviewRule(Strict):
    offer_id: str
    name: str
    amount: int


class PreviewQuote(Strict):
    bonus: int
    rules: list[PreviewRule]


class OfferPreviewView(Strict):
    currency: str
    amount: int
    published: PreviewQuote = Field(description="What the offers live now would give.")
    draft: PreviewQuote = Field(description="What they would give with the drafts published.")
