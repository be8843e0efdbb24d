"""Wallet HTTP API: one router per resource."""

from __future__ import annotations

from fastapi import FastAPI

from services.wallet.api.freezes import freezes_router
from services.wallet.api.ops import ops_router
from services.wallet.api.purchases import purchases_router
from services.wallet.api.recharges import recharges_router
from services.wallet.api.wallets import wallets_router
from services.wallet.settings import WalletSettings
from shared.http.app import service_app
from shared.service import ServiceContext


def create_app(context: ServiceContext[WalletSettings]) -> FastAPI:
    return service_app(
        context, title="Patronage wallet",
        description="Stored value in lots and a double-entry ledger: recharges, purchases, "
        "refunds, balances and statements, adjustments, freezes and the liability report. Errors are "
        "problem+json with a stable `code`.",
        routers=[recharges_router(context), purchases_router(context), wallets_router(context),
                 ops_router(context), freezes_router(context)],
    )
