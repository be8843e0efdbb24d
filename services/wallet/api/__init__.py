"""Wallet HTTP API: one router per resource."""

from __future__ import annotations

from fastapi import FastAPI

from services.wallet.api.freezes import freezes_router
from services.wallet.api.ops import ops_router
from services.wallet.api.payment_callbacks import payment_callbacks_router
from services.wallet.api.payment_intents import payment_intents_router
from services.wallet.api.purchases import purchases_router
from services.wallet.api.recharges import recharges_router
from services.wallet.api.terminal_keys import terminal_keys_router
from services.wallet.api.wallets import wallets_router
from services.wallet.settings import WalletSettings
from services.wallet.store.recharge_groups import RechargeGroups
from shared.http.app import service_app
from shared.http.data_export_parts import data_export_parts_router
from shared.service import ServiceContext


def create_app(context: ServiceContext[WalletSettings]) -> FastAPI:
    # Refuses to start on a short or placeholder provider secret outside dev.
    providers = context.settings.providers_for(context.platform.environment)
    groups = recharge_groups(context)
    return service_app(
        context, title="Patronage wallet",
        description="Stored value in lots and a double-entry ledger: recharges (POS) and payment "
        "intents settled by signed provider callbacks (app), purchases, refunds, balances and "
        "statements, adjustments, freezes, the liability report and the POS terminals' keys. "
        "Errors are problem+json with a stable `code`.",
        routers=[recharges_router(context, groups), purchases_router(context), wallets_router(context),
                 ops_router(context), freezes_router(context),
                 payment_intents_router(context, providers),
                 payment_callbacks_router(context, providers, groups), terminal_keys_router(context),
                 data_export_parts_router(context)],
    )


def recharge_groups(context: ServiceContext[WalletSettings]) -> RechargeGroups | None:
    """The process's group commit of recharges (one for both routes that record them)."""
    settings = context.settings
    if not settings.group_commit_enabled:
        return None
    assert context.statements is not None, "the wallet's spec asks for a statement pool"
    return RechargeGroups(context.statements, window=settings.group_commit_window_ms / 1000,
                          max_size=settings.group_commit_max_size)
