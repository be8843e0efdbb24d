"""A member's wallet: balance (now or at a past moment), the caps in force, statement,
recharge and purchase history. Members see only their own; POS terminals see balances and
caps (to sell) and the history of their own stores; ops need `ops:report`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from services.wallet.api.access import require_reader, visible_stores
from services.wallet.api.schemas.wallets import (
    BalanceView,
    LimitsView,
    PurchasePage,
    RechargePage,
    StatementPage,
)
from services.wallet.rules.recharges import limits_in_force
from services.wallet.settings import WalletSettings
from services.wallet.store import freezes, registered_members, statements, wallets
from shared.http.auth import Caller
from shared.http.ids import PathId as MemberId
from shared.http.moments import Moment
from shared.http.paging import Cursor, Limit
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext

Currency = Annotated[str, Query(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CNY")]


def wallets_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/wallets/{member_id}", tags=["wallets"],
                       responses=PROBLEM_RESPONSES)

    @router.get("", response_model=BalanceView,
                summary="Balance: spendable, held principal, frozen, expiring bonus")
    async def get_balance(member_id: MemberId, caller: Caller, currency: Currency = "CNY",
                          as_of: Annotated[Moment | None, Query(
                              description="A past moment (ISO 8601 with offset): the balance "
                                          "then, from the ledger.")] = None) -> dict:
        require_reader(caller, member_id)
        async with context.engine.connect() as db:
            shown = await wallets.balance(db, member_id, currency, as_of)
            freeze = await freezes.frozen(db, member_id)
        return {**shown, "frozen": freeze is not None,
                "frozen_reason": freeze["reason"] if freeze else None}

    @router.get("/limits", response_model=LimitsView,
                summary="The caps in force: card kind, per recharge, per balance, room left",
                description="What a POS shows before it charges. `registered` once the wallet "
                "has consumed the member's MemberEnrolled, `card` otherwise (lower caps, no "
                "bonus). `room_left` is the largest recharge the wallet accepts now.")
    async def get_limits(member_id: MemberId, caller: Caller, currency: Currency = "CNY") -> dict:
        require_reader(caller, member_id)
        if currency not in context.settings.currencies:
            raise RuleViolation("unsupported_currency", f"This merchant holds no {currency}.")
        async with context.engine.connect() as db:
            kind = await registered_members.card_kind(db, member_id)
            stored = await wallets.stored_value(db, member_id, currency)
        state = limits_in_force(kind, stored, context.settings.limits())
        return {"member_id": member_id, "currency": currency, **asdict(state)}

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
