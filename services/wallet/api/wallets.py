"""A member's wallet: balance (now or at a past moment), statement, recharge and purchase
history. Members see only their own; POS terminals see balances (to sell) and the history
of their own stores; ops need `ops:report`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.wallet.api.access import require_reader, visible_stores
from services.wallet.api.schemas.fields import NO_NUL
from services.wallet.api.schemas.wallets import (
    BalanceView,
    PurchasePage,
    RechargePage,
    StatementPage,
)
from services.wallet.settings import WalletSettings
from services.wallet.store import freezes, statements, wallets
from shared.http.auth import Caller
from shared.http.paging import Cursor, Limit
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

Currency = Annotated[str, Query(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CNY")]
MemberId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_NUL)]


def wallets_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/wallets/{member_id}", tags=["wallets"],
                       responses=PROBLEM_RESPONSES)

    @router.get("", response_model=BalanceView,
                summary="Balance: spendable, held principal, frozen, expiring bonus")
    async def get_balance(member_id: MemberId, caller: Caller, currency: Currency = "CNY",
                          as_of: Annotated[datetime | None, Query(
                              description="A past moment (ISO 8601 with offset): the balance "
                                          "then, from the ledger.")] = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            shown = await wallets.balance(db, member_id, currency, as_of)
            freeze = await freezes.frozen(db, member_id)
        return {**shown, "frozen": freeze is not None,
                "frozen_reason": freeze["reason"] if freeze else None}

    @router.get("/statement", response_model=StatementPage,
                summary="Ledger entries, newest first, with running balances and sources")
    async def get_statement(member_id: MemberId, caller: Caller, currency: Currency = "CNY",
                            limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_reader(caller, member_id, pos_allowed=False)
        async with context.engine.connect() as db:
            return await statements.statement(db, member_id, currency, limit, cursor)

    @router.get("/recharges", response_model=RechargePage, summary="Recharge history, newest first")
    async def get_recharges(member_id: MemberId, caller: Caller, limit: Limit = 50,
                            cursor: Cursor = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            return await statements.history(db, "recharges", member_id, visible_stores(caller),
                                            limit, cursor)

    @router.get("/purchases", response_model=PurchasePage, summary="Purchase history, newest first")
    async def get_purchases(member_id: MemberId, caller: Caller, limit: Limit = 50,
                            cursor: Cursor = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            return await statements.history(db, "purchases", member_id, visible_stores(caller),
                                            limit, cursor)

    return router
