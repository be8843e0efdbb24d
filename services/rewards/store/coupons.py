"""Coupons in the database: templates, issuance (CouponIssued), the POS check, redemption
on a purchase exactly once (a conditional UPDATE on `redeemed_at IS NULL` → CouponRedeemed),
and buying a coupon with points (PointsRedeemed + CouponIssued in one transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.coupons import CouponNotFound, CouponTerms, discount, new_code
from services.rewards.store import points
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CouponIssued, CouponRedeemed, PointsRedeemed
from shared.events.wallet import PurchaseCompleted
from shared.rule_violations import Conflict, NotFound, RuleViolation
from shared.structured_logging import get_logger

log = get_logger(__name__)
REDEEM = text("""
    UPDATE coupons SET redeemed_at = :at, purchase_id = :purchase
    WHERE code = :code AND member_id = :member AND redeemed_at IS NULL
    RETURNING coupon_id
""")


async def template(db: AsyncConnection, template_id: str) -> Mapping[str, Any] | None:
    return (await db.execute(text(
        "SELECT * FROM coupon_templates WHERE template_id = :t AND active"),
        {"t": template_id})).mappings().first()


async def add_template(db: AsyncConnection, template: Mapping[str, Any], actor: str,
                       now: datetime) -> None:
    """409 `template_exists` when the id is taken (the transaction is then rolled back)."""
    try:
        await db.execute(text("""
            INSERT INTO coupon_templates (template_id, name, kind, value, currency,
                min_spend, valid_days, points_cost, created_by, created_at)
            VALUES (:template_id, :name, :kind, :value, :currency, :min_spend,
                :valid_days, :points_cost, :actor, :now)
        """), {**template, "actor": actor, "now": now})
    except IntegrityError as error:
        raise Conflict("template_exists", f"Template {template['template_id']} exists.") from error


async def existing_template(db: AsyncConnection, template_id: str) -> Mapping[str, Any]:
    """The active template; 404 `template_not_found`."""
    found = await template(db, template_id)
    if found is None:
        raise NotFound("template_not_found", f"No template {template_id}.")
    return found


async def issue(uow: UnitOfWork, member_id: str, tpl: Mapping[str, Any], reason: str,
                envelope: dict | None = None) -> CouponIssued:
    now = uow.clock.now()
    coupon_id, code = uuid.uuid4(), new_code()
    until = now + timedelta(days=tpl["valid_days"])
    await uow.connection.execute(text("""
        INSERT INTO coupons (coupon_id, code, member_id, template_id, kind, value, currency,
            min_spend, valid_from, valid_until, reason, issued_at)
        VALUES (:coupon_id, :code, :member, :template_id, :kind, :value, :currency, :min_spend,
            :now, :until, :reason, :now)
    """), {"coupon_id": coupon_id, "code": code, "member": member_id, "now": now,
           "until": until, "reason": reason, **{k: tpl[k] for k in (
               "template_id", "kind", "value", "currency", "min_spend")}})
    event = CouponIssued(
        **{**(envelope or {}), "member_id": member_id}, occurred_at=now, coupon_id=str(coupon_id), code=code,
        template_id=tpl["template_id"], kind=tpl["kind"], value=tpl["value"],
        currency=tpl["currency"], min_spend=tpl["min_spend"], valid_from=now,
        valid_until=until, reason=reason)
    uow.emit(event)
    return event


async def buy_with_points(uow: UnitOfWork, member_id: str, tpl: Mapping[str, Any]
                          ) -> tuple[CouponIssued, PointsRedeemed]:
    """Both events or neither; 422 `template_not_for_points` for a template without a
    points cost, `insufficient_points` (NotEnoughPoints) for a balance below it."""
    if tpl["points_cost"] is None:
        raise RuleViolation("template_not_for_points", "This coupon cannot be bought with points.")
    now = uow.clock.now()
    coupon = await issue(uow, member_id, tpl, reason=f"points:{tpl['template_id']}")
    entry = await points.spend(uow.connection, member_id, tpl["points_cost"], kind="redeem",
                               reason=f"coupon {coupon.coupon_id}", at=now,
                               source_id=coupon.coupon_id)
    redeemed = PointsRedeemed(occurred_at=now, member_id=member_id, entry_id=str(entry.entry_id),
                              points=tpl["points_cost"], reward_reference=coupon.coupon_id,
                              balance=entry.balance)
    uow.emit(redeemed)
    return coupon, redeemed


async def check(db: AsyncConnection, code: str, member_id: str, basket_total: int,
                currency: str, now: datetime) -> tuple[Mapping[str, Any], int]:
    """The coupon and its discount on this basket; raises CouponNotFound, CouponRefused."""
    row = (await db.execute(text("SELECT * FROM coupons WHERE code = :code"),
                            {"code": code})).mappings().first()
    if row is None or row["member_id"] != member_id:
        raise CouponNotFound(code)
    terms = CouponTerms(row["kind"], row["value"], row["currency"], row["min_spend"],
                        row["valid_from"], row["valid_until"])
    return row, discount(terms, basket_total, currency, now, row["redeemed_at"] is not None)


async def redeem_for_purchase(event: PurchaseCompleted, uow: UnitOfWork) -> None:
    for code in event.coupon_codes:
        coupon_id = (await uow.connection.execute(REDEEM, {
            "at": event.occurred_at, "purchase": event.purchase_id, "code": code,
            "member": event.member_id})).scalar()
        if coupon_id is None:
            log.warning("coupon_not_redeemable", code=code, purchase_id=event.purchase_id)
            continue
        uow.emit(CouponRedeemed(**event.caused(occurred_at=uow.clock.now()),
                                coupon_id=str(coupon_id), purchase_id=event.purchase_id))
