"""Tiering settings (`PATRONAGE_TIERING_*`): the default ladder, the reminder schedule,
grace periods, renewal prices and segments. Tier rules changed through the API are stored
as versions and override the default ladder. The renewal prices here are version 1 of the
renewal price lists (stored at first use); versions published through the API
(`POST /v1/renewal-prices`) replace them, so after that these figures are only the seed."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.tiering.rules.quotes import PriceList
from services.tiering.rules.segments import SegmentBounds
from services.tiering.rules.tiers import Benefits, Measure, Tier, TierRules
from shared.tier_benefits import DEFAULT_DISCOUNT_BPS
from shared.time_zones import TimeZoneName

DEV_CONTACT_HASH_KEY = "dev-only-contact-hash-key"
# Multipliers come from shared/tier_benefits.py, which rewards falls back to as well.
# Discounts too (DEFAULT_DISCOUNT_BPS), which the wallet applies at the till by default.
DEFAULT_LADDER = (
    Tier("regular", benefits=Benefits.default_for("regular")),
    Tier("silver", 500_000, 300_000, Benefits.default_for("silver", DEFAULT_DISCOUNT_BPS["silver"])),
    Tier("gold", 2_000_000, 1_000_000, Benefits.default_for(
        "gold", DEFAULT_DISCOUNT_BPS["gold"], ("free_parking",))),
    Tier("diamond", 5_000_000, 3_000_000, Benefits.default_for(
        "diamond", DEFAULT_DISCOUNT_BPS["diamond"], ("free_parking", "lounge"),
        priority_support=True)),
)


class TieringSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_TIERING_", extra="ignore",
                                      hide_input_in_errors=True)

    currency: str = Field(default="CNY", description="The program's currency; other "
                          "currencies do not count towards tiers.")
    measure: Measure = "spend_12m"
    reminder_offsets_days: tuple[int, ...] = Field(default=(30, 7, 1))
    membership_grace_days: int = Field(default=15, ge=0, description="Renewing within this "
                                       "many days after the end continues the term.")
    tier_review_grace_days: int = Field(default=30, ge=0, description="Days after the "
                                        "anniversary to retain a tier before a downgrade.")
    price_per_year: int = Field(default=36_000, gt=0, description="Membership list price.")
    renewal_lengths: tuple[int, ...] = (1, 2)
    length_discount_bps: dict[int, int] = Field(default={1: 1000, 2: 2000})
    segment_discount_bps: dict[str, int] = Field(
        default={"potential": 2000, "growing": 3000, "core": 4000})
    quote_valid_minutes: int = Field(default=30, gt=0, le=24 * 60, description="How long a "
                                     "renewal quote's signed token may be bought against.")
    early_renewal_bps: int = 1500
    early_renewal_days: int = 60
    win_back_bps: int = 2500
    first_renewal_bps: int = Field(default=1000, description="Offer on a member's first "
                                   "renewal after their first term (best of early, win-back, "
                                   "first renewal).")
    renewal_floor_per_year: int = Field(default=15_000, description="The rate per year after "
                                        "segment and offer discounts never goes below this "
                                        "(minor units); the length discount applies after it.")
    upgrade_surcharge_bps: int = Field(default=2000, description="Renew-and-upgrade: the "
                                       "list price per year x this, added per year.")
    renewal_prices_refresh_seconds: float = Field(
        default=5.0, ge=0, le=3600, description="How often a replica checks whether another "
        "one published renewal prices (one max(version) query at most this often, never per "
        "quote); its own publications apply at once.")
    segment_growing_from: int = 500_000
    segment_core_above: int = 2_000_000
    contact_hash_key: str = Field(
        default=DEV_CONTACT_HASH_KEY, description="Key of the phone hash enrolments publish "
        "(MemberEnrolled.phone_hash): with a known key anyone could hash every phone number "
        "and read the events' hashes back, so only dev and test accept the default.",
        repr=False)
    time_zone: TimeZoneName = Field(default="Asia/Shanghai", description="The merchant's: the day "
                           "a member's birthday is announced (MemberBirthday).")
    erasure_cooling_off_days: int = Field(
        default=7, ge=0, le=365, description="Days between a member's erasure request and the "
        "erasure, during which the member or ops may cancel it; 0: erased at once.")
    inactive_member_retention_days: int | None = Field(
        default=None, ge=1, description="Erase the personal data of members with no activity "
        "(no spend, recharge or paid term) for this many days; unset: keep it.")
    data_export_days: int = Field(default=7, ge=1, le=90, description="How long a member's "
                                  "data export may be downloaded; afterwards 410 and its "
                                  "parts are deleted (docs/privacy.md).")
    # Where the archive fetches the other services' parts (as `patronage dev` and compose
    # serve them; in Kubernetes, the services' cluster addresses).
    wallet_url: str = "http://localhost:8101"
    rewards_url: str = "http://localhost:8103"
    referral_url: str = "http://localhost:8104"
    notifier_url: str = "http://localhost:8105"
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    scheduler_batch_size: int = Field(default=1000, gt=0)

    @field_validator("reminder_offsets_days")
    @classmethod
    def _positive_distinct(cls, offsets: tuple[int, ...]) -> tuple[int, ...]:
        if any(d <= 0 for d in offsets) or len(set(offsets)) != len(offsets):
            raise ValueError("reminder offsets must be distinct positive days")
        return tuple(sorted(offsets, reverse=True))

    @model_validator(mode="after")
    def _commitment_pays(self) -> TieringSettings:
        self.price_list()  # refuses, at start, prices where a longer term is not cheaper per year
        return self

    def part_urls(self) -> dict[str, str]:
        """The base URL of every other service that contributes a data export part."""
        return {"wallet": self.wallet_url, "rewards": self.rewards_url,
                "referral": self.referral_url, "notifier": self.notifier_url}

    def default_rules(self) -> TierRules:
        return TierRules(self.measure, DEFAULT_LADDER, version=0)

    def price_list(self) -> PriceList:
        return PriceList(self.currency, self.price_per_year, self.renewal_lengths,
                         self.length_discount_bps, self.segment_discount_bps,
                         self.early_renewal_bps, self.early_renewal_days, self.win_back_bps,
                         self.first_renewal_bps, self.renewal_floor_per_year,
                         self.upgrade_surcharge_bps)

    def segment_bounds(self) -> SegmentBounds:
        return SegmentBounds(self.segment_growing_from, self.segment_core_above)


@lru_cache
def get_tiering_settings() -> TieringSettings:
    return TieringSettings()
