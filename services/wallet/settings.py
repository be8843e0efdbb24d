"""Wallet settings (`PATRONAGE_WALLET_*`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.wallet.rules.lots import DrawPolicy
from services.wallet.rules.recharges import StoredValueLimits
from services.wallet.rules.risk import DEFAULT_RULES, RiskRule

# Placeholders that work in `patronage dev` only: refused at start elsewhere (`providers_for`).
DEV_PAYMENT_SECRET = "patronage-dev-fakepay-secret"
DEV_REFERENCE_KEY = "patronage-dev-payment-reference-key"
FAKE_PROVIDER = "fakepay"
MIN_SECRET_LENGTH = 32


class PaymentProvider(BaseModel):
    """A payment provider whose signed callbacks settle payment intents."""

    secret: SecretStr = Field(description="Signs its callbacks (HMAC-SHA256).")
    payment_method: Literal["card", "wechat_pay", "alipay", "unionpay", "other"] = "other"


class WalletSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_WALLET_", extra="ignore")

    currencies: frozenset[str] = Field(default=frozenset({"CNY"}),
                                       description="Currencies the merchant's wallets hold.")
    max_recharge: int = Field(default=500_000, gt=0,
                              description="Per recharge of a registered member, minor units.")
    max_balance: int = Field(default=500_000, gt=0,
                             description="Per wallet of a registered member, minor units.")
    card_max_recharge: int = Field(default=100_000, gt=0, description="Per recharge of an "
                                   "unregistered card (an id that never enrolled), minor units.")
    card_max_balance: int = Field(default=100_000, gt=0,
                                  description="Per wallet of an unregistered card, minor units.")
    draw_policy: DrawPolicy = Field(
        default=DrawPolicy.PROPORTIONAL,
        description="How stored value pays: proportional, principal_first or bonus_first.")
    bonus_expiry_months: int | None = Field(
        default=12, ge=1, le=120,
        description="A bonus lot expires this many months after its credit; unset: never.")
    tier_discount_at_till: bool = Field(
        default=False, description="A purchase takes the member's tier discount (tiering's "
        "`discount_bps`, learnt from its events) off every line but membership lines.")

    risk: tuple[RiskRule, ...] = Field(
        default=DEFAULT_RULES,
        description="Short-window amount rules, JSON: [{name, scope (member | "
        "payment_reference | terminal), window_minutes, threshold, action (hold_bonus | "
        "hold_recharge | freeze)}]; [] for none.")
    payment_providers: dict[str, PaymentProvider] = Field(
        default_factory=dict,
        description='Providers and their callback secrets, e.g. {"fakepay": {"secret": "..."}}; '
        "in the dev environment `fakepay` is there with a dev secret unless configured.")
    payment_reference_key: SecretStr = Field(
        default=SecretStr(DEV_REFERENCE_KEY),
        description="Keys the token published in place of a payment reference.")
    bonus_expiry_sweep_seconds: float = Field(
        default=3600, gt=0, description="How often due bonus lots are expired on a clock.")
    payment_intent_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60)
    payment_intent_sweep_seconds: float = Field(
        default=60, gt=0, description="How often pending intents past their time are marked.")
    payment_signature_tolerance_seconds: int = Field(
        default=300, ge=1, le=3600, description="How far a callback's timestamp may be from now.")
    erasure_balance: Literal["refund", "forfeit"] = Field(
        default="refund", description="What becomes of an erased member's remaining balance: "
        "refund (the principal is owed back, account erasure_refund_due; the bonus is "
        "breakage) or forfeit (all of it is breakage).")
    group_commit_enabled: bool = Field(
        default=True, description="Recharges arriving together are written by one statement "
        "and one commit per group (store/recharge_groups.py), each answered on its own.")
    group_commit_window_ms: float = Field(
        default=1.0, ge=0, le=50, description="How long a group waits for more recharges "
        "after its first, milliseconds (the latency it adds at most).")
    group_commit_max_size: int = Field(
        default=8, ge=1, le=60, description="A group is written at once when this many "
        "wait (at most 60: each recharge is a subtransaction, and PostgreSQL caches 64).")
    app_store_id: str = Field(default="app", min_length=1, max_length=64,
                              description="The store_id of recharges paid in the member app.")

    def providers_for(self, environment: str) -> dict[str, PaymentProvider]:
        """The providers in force; refuses, outside dev, a secret that is short or a dev
        placeholder (and in prod the dev reference key): the service does not start."""
        providers = dict(self.payment_providers)
        if environment == "dev":
            providers.setdefault(FAKE_PROVIDER, PaymentProvider(secret=SecretStr(DEV_PAYMENT_SECRET)))
            return providers
        for name, provider in providers.items():
            secret = provider.secret.get_secret_value()
            if len(secret) < MIN_SECRET_LENGTH or DEV_PAYMENT_SECRET in secret:
                raise ValueError(f"PATRONAGE_WALLET_PAYMENT_PROVIDERS: the secret of {name} must "
                                 f"be a real secret of at least {MIN_SECRET_LENGTH} characters")
        key = self.payment_reference_key.get_secret_value()
        if environment == "prod" and (key == DEV_REFERENCE_KEY or len(key) < MIN_SECRET_LENGTH):
            raise ValueError("PATRONAGE_WALLET_PAYMENT_REFERENCE_KEY must be set to a real secret "
                             f"of at least {MIN_SECRET_LENGTH} characters")
        return providers

    def limits(self) -> StoredValueLimits:
        return StoredValueLimits(self.currencies, self.max_recharge, self.max_balance,
                                 self.card_max_recharge, self.card_max_balance)


@lru_cache
def get_wallet_settings() -> WalletSettings:
    return WalletSettings()
