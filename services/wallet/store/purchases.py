"""Purchases: the stored-value tender draws on the member's lots by the configured policy,
other tenders are recorded, and every purchase reaches the rest of the platform as
`PurchaseCompleted`. The wallet row is locked before the lots are read, so concurrent
purchases on one wallet queue up instead of overdrawing it. Only spendable lots pay (a
held principal does not); a frozen member buys nothing (423 `wallet_frozen`).

With the tier discount at the till on, the member's tier discount comes off first (one
indexed read, store/tier_discounts.py; rules/tier_discounts.py): the purchase's total is
then what is paid after it, and the receipt and the event say which tier gave how much."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.entries import purchase_lines
from services.wallet.rules.lots import DrawPolicy, by_kind, negated, plan_draws
from services.wallet.rules.purchases import OrderReferenceReused, stored_value_part
from services.wallet.rules.tier_discounts import TierDiscount, amount_due, tier_discount
from services.wallet.store import tables
from services.wallet.store.entries import post_entry
from services.wallet.store.expiry import expire_due
from services.wallet.store.freezes import refuse_if_frozen
from services.wallet.store.lots import move_lots, open_lots
from services.wallet.store.tier_discounts import discount_of
from services.wallet.store.wallets import lock_wallet, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted, PurchaseItem

if TYPE_CHECKING:  # the request's shape only: store/ never imports the HTTP layer
    from services.wallet.api.schemas.purchases import PurchaseRequest

INSERT_PURCHASE = text("""
    INSERT INTO purchases (purchase_id, member_id, currency, order_reference, store_id,
        terminal_id, channel, total, paid_principal, paid_bonus, paid_other, tenders, items,
        coupon_codes, created_at, tier, tier_discount_bps, tier_discount_amount)
    VALUES (:purchase_id, :member_id, :currency, :order_reference, :store_id, :terminal_id,
        :channel, :total, :paid_principal, :paid_bonus, :paid_other, CAST(:tenders AS jsonb),
        CAST(:items AS jsonb), CAST(:coupon_codes AS jsonb), :now, :tier, :tier_discount_bps,
        :tier_discount_amount)
    ON CONFLICT ON CONSTRAINT order_reference_once_per_store DO NOTHING
    RETURNING purchase_id
""")
FIND_PURCHASE = text("SELECT * FROM purchases WHERE purchase_id = :id")


async def record_purchase(uow: UnitOfWork, request: PurchaseRequest, policy: DrawPolicy,
                          quote_ids: Sequence[str | None] = (), *,
                          tier_discount_at_till: bool = False) -> dict:
    """The purchase made; the fields of its receipt. `quote_ids`: each line's checked quote
    (rules/membership_quotes.py), kept on the line in place of its token."""
    db, now = uow.connection, uow.clock.now()
    given = await _tier_discount(db, request) if tier_discount_at_till else None
    if given is not None:  # from here on the total is what the member pays
        request = request.model_copy(update={"total": amount_due(request.total, given)})
    shown = {"tier": given.tier, "tier_discount_bps": given.bps,
             "tier_discount_amount": given.amount} if given else {}
    member, currency = request.member_id, request.currency
    stored = stored_value_part(request.total,
                               [(t.method, t.amount) for t in request.tenders])
    await lock_wallet(db, member, currency)
    await refuse_if_frozen(db, member)
    lots = await open_lots(db, member, currency)
    await expire_due(uow, member, currency, lots, now)
    draws = plan_draws(lots, stored, policy, now)
    principal, bonus = by_kind(draws)
    purchase_id = uuid.uuid4()
    items = purchase_items(request, quote_ids)
    await _insert_purchase(db, purchase_id, request, items, principal, bonus, now, given)
    if draws:
        await db.execute(insert(tables.purchase_draws), [
            {"purchase_id": purchase_id, "lot_id": d.lot_id, "kind": d.kind, "amount": d.amount}
            for d in draws])
        await move_lots(db, negated(draws))
    balances = await move_balances(db, member, currency, -principal, -bonus, now)
    other = request.total - stored
    await post_entry(db, member_id=member, currency=currency, kind="purchase",
                     source_id=purchase_id, reason=f"order {request.order_reference}", now=now,
                     lines=purchase_lines(member, principal, bonus, other))
    uow.emit(PurchaseCompleted(
        occurred_at=now, member_id=member, purchase_id=str(purchase_id),
        order_reference=request.order_reference, total=request.total, currency=currency,
        paid_principal=principal, paid_bonus=bonus, paid_other=other,
        items=items,
        store_id=request.store_id, terminal_id=request.terminal_id, channel=request.channel,
        coupon_codes=tuple(request.coupon_codes), **shown))
    return dict(**shown,
        purchase_id=purchase_id, member_id=member, order_reference=request.order_reference,
        currency=currency, total=request.total, paid_principal=principal, paid_bonus=bonus,
        paid_other=other, principal_balance=balances.principal, bonus_balance=balances.bonus,
        balance=balances.total, store_id=request.store_id, created_at=now)


async def _tier_discount(db: AsyncConnection, request: PurchaseRequest) -> TierDiscount | None:
    if (found := await discount_of(db, request.member_id)) is None:
        return None
    tier, bps = found
    return tier_discount(tier, bps, request.total, [(i.category, i.amount) for i in request.items])


def purchase_items(request: PurchaseRequest, quote_ids: Sequence[str | None]
                   ) -> tuple[PurchaseItem, ...]:
    """The lines as stored and published: a quote's id, never its token."""
    ids = list(quote_ids) or [None] * len(request.items)
    return tuple(PurchaseItem(**item.model_dump(exclude={"quote_token"}), quote_id=quote_id)
                 for item, quote_id in zip(request.items, ids, strict=True))


async def _insert_purchase(db: AsyncConnection, purchase_id: uuid.UUID, request: PurchaseRequest,
                           items: tuple[PurchaseItem, ...], principal: int, bonus: int,
                           now: datetime, given: TierDiscount | None) -> None:
    inserted = (await db.execute(INSERT_PURCHASE, {
        "tier": given and given.tier, "tier_discount_bps": given and given.bps,
        "tier_discount_amount": given and given.amount,
        "purchase_id": purchase_id, "now": now, "paid_principal": principal, "paid_bonus": bonus,
        "paid_other": request.total - principal - bonus,
        **request.model_dump(include={"member_id", "currency", "order_reference", "store_id",
                                      "terminal_id", "channel", "total"}),
        "tenders": orjson.dumps([t.model_dump() for t in request.tenders]).decode(),
        "items": orjson.dumps([i.model_dump() for i in items]).decode(),
        "coupon_codes": orjson.dumps(request.coupon_codes).decode(),
    })).first()
    if inserted is None:
        raise OrderReferenceReused(request.order_reference)


async def find_purchase(db: AsyncConnection, purchase_id: uuid.UUID):
    return (await db.execute(FIND_PURCHASE, {"id": purchase_id})).first()
