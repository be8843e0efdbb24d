"""Every service the platform runs, and the port each listens on by default."""

from __future__ import annotations

from services.console.service import SPEC as CONSOLE
from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.service import ServiceSpec

SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (WALLET, TIERING, REWARDS,
                                                                  REFERRAL, NOTIFIER, CONSOLE)}
CONTROL_PORT = 8100  # `patronage dev` only: the clock (`patronage tick`)
DEFAULT_PORTS: dict[str, int] = {"wallet": 8101, "tiering": 8102, "rewards": 8103,
                                 "referral": 8104, "notifier": 8105, "console": 8106}
