"""Wallet settings (`PATRONAGE_WALLET_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.wallet.rules.lots import DrawPolicy
from services.wallet.rules.recharges import StoredValueLimits
from services.wallet.rules.risk import DEFAULT_RULES, RiskRule


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

    risk: tuple[RiskRule, ...] = Field(
        default=DEFAULT_RULES,
        description="Short-window amount rules, JSON: [{name, scope (member | "
        "payment_reference | terminal), window_minutes, threshold, action (hold_bonus | "
        "hold_recharge | freeze)}]; [] for none.")

    def limits(self) -> StoredValueLimits:
        return StoredValueLimits(self.currencies, self.max_recharge, self.max_balance,
                                 self.card_max_recharge, self.card_max_balance)


@lru_cache
def get_wallet_settings() -> WalletSettings:
    return WalletSettings()
