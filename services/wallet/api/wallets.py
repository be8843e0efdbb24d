"""A member's wallet: balance (now or at a past moment), statement, recharge and purchase
history. Members see only their own; POS terminals see balances (to sell) and the history
of their own stores; ops need `ops:report`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.wallet import reads
from services.wallet.api.common import RESPONSES, Cursor, Limit
from services.wallet.schemas import NO_NUL, RechargePage
from services.wallet.schemas_purchases import BalanceView, PurchasePage, StatementPage
from shared.http.auth import Caller, Principal, forbidden, require_member_access, require_scope
from shared.service import ServiceContext

Currency = Annotated[str, Query(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CNY")]
MemberId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_NUL)]


def require_reader(caller: Principal, member_id: str, *, pos_allowed: bool = True) -> None:
    if caller.role == "ops":
        require_scope(caller, "ops:report")
    elif caller.role == "pos" and not pos_allowed:
        raise forbidden("A terminal cannot read a member's statement.")
    require_member_access(caller, member_id)


def visible_stores(caller: Principal) -> list[str] | None:
    if caller.role != "pos":
        return None
    return sorted({caller.store_id or "", *caller.extra_stores})


def wallets_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/wallets/{member_id}", tags=["wallets"], responses=RESPONSES)

    @router.get("", response_model=BalanceView, summary="Balance: principal, bonus, expiring bonus")
    async def get_balance(member_id: MemberId, caller: Caller, currency: Currency = "CNY",
                          as_of: Annotated[datetime | None, Query(
                              description="A past moment (ISO 8601 with offset): the balance "
                                          "then, from the ledger.")] = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            return await reads.balance(db, member_id, currency, as_of)

    @router.get("/statement", response_model=StatementPage,
                summary="Ledger entries, newest first, with running balances and sources")
    async def get_statement(member_id: MemberId, caller: Caller, currency: Currency = "CNY",
                            limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_reader(caller, member_id, pos_allowed=False)
        async with context.engine.connect() as db:
            return await reads.statement(db, member_id, currency, limit, cursor)

    @router.get("/recharges", response_model=RechargePage, summary="Recharge history, newest first")
    async def get_recharges(member_id: MemberId, caller: Caller, limit: Limit = 50,
                            cursor: Cursor = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            return await reads.history(db, "recharges", member_id, visible_stores(caller), limit, cursor)

    @router.get("/purchases", response_model=PurchasePage, summary="Purchase history, newest first")
    async def get_purchases(member_id: MemberId, caller: Caller, limit: Limit = 50,
                            cursor: Cursor = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            return await reads.history(db, "purchases", member_id, visible_stores(caller), limit, cursor)

    return router
