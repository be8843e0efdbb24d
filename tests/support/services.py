"""The service specs the test suite migrates into its template database."""

from __future__ import annotations

from services.console.service import SPEC as CONSOLE
from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from tests.support.probe import SPEC as PROBE

ALL_SPECS = (WALLET, REWARDS, PROBE, TIERING, NOTIFIER, REFERRAL, CONSOLE)
