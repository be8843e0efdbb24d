"""Paid memberships: a member's terms and status, and renewal quotes. A renewal is bought
through wallet as a purchase of the membership product (category `membership`, sku
`membership-<N>y`) carrying the quote's signed `quote_token`: the wallet sells the line only
at the quoted price (shared/membership_quotes.py), and tiering extends the term when it sees
the purchase."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select

from services.tiering.api.schemas import TermView
from services.tiering.rules.memberships import MEMBERSHIP_CATEGORY, renewal_sku
from services.tiering.rules.quotes import Quote
from services.tiering.settings import TieringSettings
from services.tiering.store import experiments
from services.tiering.store.members import enrolled_member
from services.tiering.store.quotes import MemberOffer, member_offer
from services.tiering.store.renewal_prices import RenewalPriceCache
from services.tiering.store.tables import membership_terms as terms
from shared.http.auth import Caller, Principal
from shared.http.ids import PathId
from shared.http.member_access import require_member_reader
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.membership_quotes import QuotedRenewal, new_quote_id, sign_quote
from shared.service import ServiceContext

TERM_COLUMNS = (terms.c.term_id, terms.c.term_start, terms.c.term_end, terms.c.years,
                terms.c.price, terms.c.currency, terms.c.purchase_id, terms.c.bought_at)


def memberships_router(context: ServiceContext[TieringSettings],
                       prices: RenewalPriceCache) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}", tags=["memberships"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings

    async def offer_for(member_id: str, caller: Principal) -> MemberOffer:
        require_member_reader(caller, member_id, pos=True)  # renewals are sold at the till
        in_force = (await prices.current()).prices  # from memory, not a query per quote
        async with context.engine.connect() as db:
            await enrolled_member(db, member_id)
            return await member_offer(db, settings, member_id, context.clock.now(),
                                      prices=in_force)

    @router.get("/membership", summary="A member's paid membership: status and end")
    async def membership(member_id: PathId, caller: Caller) -> dict:
        offer = await offer_for(member_id, caller)
        grace = timedelta(days=settings.membership_grace_days)
        return {"member_id": member_id, "status": offer.status, "term_end": offer.term_end,
                "grace_until": offer.term_end + grace if offer.term_end else None}

    @router.get("/membership/terms", response_model=Page[TermView],
                summary="A member's membership terms, latest first (cancelled ones excluded)")
    async def member_terms(member_id: PathId, caller: Caller, limit: Limit = 50,
                           cursor: Cursor = None) -> dict:
        require_member_reader(caller, member_id)
        after = decode_cursor(cursor, 1)
        statement = (select(*TERM_COLUMNS)
                     .where(terms.c.member_id == member_id, terms.c.cancelled_at.is_(None))
                     .order_by(terms.c.term_end.desc()).limit(limit + 1))
        if after is not None:
            statement = statement.where(terms.c.term_end < cursor_moment(after[0]))
        async with context.engine.connect() as db:
            rows = [dict(row._mapping) for row in await db.execute(statement)]
        return page(rows, limit, lambda row: [row["term_end"].isoformat()])

    @router.get("/renewal-quotes", summary="What renewing costs, per term length, and what "
                "renewing with a tier upgrade for the term costs")
    async def renewal_quotes(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, pos=True)
        now = context.clock.now()
        in_force = (await prices.current()).prices  # from memory, not a query per quote
        async with context.uow() as uow:  # a quote shown is an experiment's exposure
            await enrolled_member(uow.connection, member_id)
            experiment_bps = await experiments.expose_at_quote(uow, member_id, now)
            offer = await member_offer(uow.connection, settings, member_id, now, experiment_bps,
                                       in_force)
        expires_at = context.clock.now() + timedelta(minutes=settings.quote_valid_minutes)

        def signed(sku: str, years: int, price: int) -> dict:
            quoted = QuotedRenewal(new_quote_id(), member_id, sku, years, price,
                                   settings.currency, expires_at)
            return {"quote_id": quoted.quote_id, "expires_at": expires_at,
                    "quote_token": sign_quote(context.platform.jwt_secret, quoted),
                    "product": {"sku": sku, "category": MEMBERSHIP_CATEGORY}}

        def shown(q: Quote) -> dict:
            upgrade = None
            if q.upgrade_price is not None:
                upgrade = {"tier": offer.upgrade_to, "price": q.upgrade_price,
                           **signed(renewal_sku(q.years, upgrade=True), q.years, q.upgrade_price)}
            return {"years": q.years, "list_price": q.list_price, "price": q.price,
                    "discount_bps": q.discount_bps, "offer": q.offer,
                    "components": [{"kind": c.name, "bps": c.bps} for c in q.components],
                    "floor_applied": q.floor_applied,
                    **signed(renewal_sku(q.years), q.years, q.price), "upgrade": upgrade}

        return {
            "member_id": member_id, "status": offer.status, "term_end": offer.term_end,
            "segment": offer.segment, "annual_spend": offer.annual_spend,
            "first_renewal": offer.first_renewal, "currency": settings.currency,
            "quotes": [shown(q) for q in offer.quotes],
        }

    return router
