"""Bodies of the renewal price routes (`/v1/renewal-prices`): the figures mirror the
settings of the same names (docs/tiering.md "Renewal prices"), amounts in minor units,
discounts in basis points."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from services.tiering.api.schemas import Bps

Years = Annotated[StrictInt, Field(ge=1, le=10)]
Money = Annotated[StrictInt, Field(ge=0, le=10**12, description="Minor units, an integer.")]
SegmentName = Literal["potential", "growing", "core"]
EXAMPLE = {"price_per_year": 36_000, "lengths": [1, 2], "length_discount_bps": {"1": 1000, "2": 2000},
           "segment_discount_bps": {"potential": 2000, "growing": 3000, "core": 4000},
           "early_renewal_bps": 1500, "early_renewal_days": 60, "win_back_bps": 2500,
           "first_renewal_bps": 1000, "renewal_floor_per_year": 15_000,
           "upgrade_surcharge_bps": 2000}


class RenewalPrices(BaseModel):
    """A renewal price list: a draft to preview or publish, or a stored version's figures."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    price_per_year: Money = Field(description="The list price per year.")
    lengths: list[Years] = Field(min_length=1, max_length=5, description="Term lengths on "
                                 "offer, in years.")
    length_discount_bps: dict[int, Bps] = Field(description="Discount per length (years as "
                                                "keys); must rise strictly with the years.")
    segment_discount_bps: dict[SegmentName, Bps] = Field(description="Discount per segment.")
    early_renewal_bps: Bps
    early_renewal_days: Annotated[StrictInt, Field(ge=0, le=3650)]
    win_back_bps: Bps
    first_renewal_bps: Bps
    renewal_floor_per_year: Money = Field(description="The rate per year after segment and "
                                          "offer discounts never goes below this.")
    upgrade_surcharge_bps: Bps


class RenewalPriceVersion(RenewalPrices):
    model_config = ConfigDict(extra="forbid")

    version: int
    currency: str
    created_by: str = Field(description="Who published it (`settings` for version 1, the "
                            "deployment's configured prices).")
    created_at: datetime


class RenewalPriceHistory(BaseModel):
    items: list[RenewalPriceVersion] = Field(description="Newest first; the first item is "
                                             "in force.")


class PreviewQuote(BaseModel):
    price: int
    list_price: int
    offer: str
    floor_applied: bool


class PreviewRow(BaseModel):
    years: int
    segment: SegmentName
    status: str
    current: PreviewQuote | None = Field(description="None if the version in force does "
                                         "not offer this length.")
    draft: PreviewQuote


class RenewalPricePreview(BaseModel):
    current_version: int
    currency: str
    rows: list[PreviewRow]
