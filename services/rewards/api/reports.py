"""The program report (`ops:report`): what the incentives cost and what they bought, over
a period [from, to): recharge bonuses and campaigns, points, coupons, payments on spend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import text

from services.rewards.api.schemas import Currency
from services.rewards.settings import RewardsSettings
from shared.http.auth import Caller, require_scope
from shared.http.moments import Moment
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

BONUSES = text("""
    SELECT status, count(*) AS decisions, coalesce(sum(amount), 0) AS amount,
           coalesce(sum(recharge_amount), 0) AS recharge_volume
    FROM bonus_decisions WHERE currency = :currency AND decided_at >= :start AND decided_at < :end
    GROUP BY status
""")
CAMPAIGNS = text("""
    SELECT c.offer_id, count(*) AS recharges, sum(c.amount) AS cost,
           sum(c.recharge_amount) AS recharge_volume
    FROM campaign_charges c JOIN bonus_decisions d USING (recharge_id)
    WHERE d.currency = :currency AND c.charged_at >= :start AND c.charged_at < :end
    GROUP BY c.offer_id ORDER BY c.offer_id
""")
POINTS = text("""
    SELECT kind, coalesce(sum(abs(points)), 0) AS points FROM points_entries
    WHERE occurred_at >= :start AND occurred_at < :end GROUP BY kind
""")
# Payments on spend by offer (cash-back, spend-and-save, first-N gifts), at their decision
SPEND = text("""
    SELECT offer_id, kind, count(*) FILTER (WHERE status = 'granted') AS granted,
           coalesce(sum(amount) FILTER (WHERE status = 'granted'), 0) AS cost,
           count(*) FILTER (WHERE status = 'held') AS held,
           coalesce(sum(purchase_amount) FILTER (WHERE status = 'granted'), 0) AS purchase_volume
    FROM cashback_grants WHERE currency = :currency AND granted_at >= :start AND granted_at < :end
    GROUP BY offer_id, kind ORDER BY offer_id
""")
LIABILITY = text("SELECT coalesce(sum(balance), 0) FROM points_accounts")
COUPONS = text("""
    SELECT (SELECT count(*) FROM coupons WHERE issued_at >= :start AND issued_at < :end) AS issued,
           (SELECT count(*) FROM coupons WHERE redeemed_at >= :start AND redeemed_at < :end) AS redeemed
""")


def reports_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)

    @router.get("/program", summary="Bonus cost, points liability, coupons, campaign ROI")
    async def program(caller: Caller, start: Annotated[Moment, Query(alias="from")],
                      end: Annotated[Moment, Query(alias="to")],
                      currency: Currency = "CNY") -> dict:
        require_scope(caller, "ops:report")
        if end <= start:
            raise Problem(422, "invalid_period", "'to' must be after 'from'.")
        period = {"start": start, "end": end, "currency": currency}
        async with context.engine.connect() as db:
            bonuses = {r.status: r for r in (await db.execute(BONUSES, period)).all()}
            campaigns = (await db.execute(CAMPAIGNS, period)).all()
            points = {r.kind: int(r.points) for r in (await db.execute(POINTS, period)).all()}
            liability = int((await db.execute(LIABILITY)).scalar_one())
            coupons = (await db.execute(COUPONS, period)).one()
            spend = (await db.execute(SPEND, period)).all()
        return {
            "from": start, "to": end, "currency": currency,
            "recharge_volume": sum(int(r.recharge_volume) for r in bonuses.values()),
            "bonus": {status: {"decisions": r.decisions, "amount": int(r.amount)}
                      for status, r in bonuses.items()},
            "bonus_cost": int(bonuses["granted"].amount) if "granted" in bonuses else 0,
            "points": {"earned": points.get("earn", 0), "redeemed": points.get("redeem", 0),
                       "reversed": points.get("reverse", 0), "expired": points.get("expire", 0),
                       "liability": liability},
            "coupons": {"issued": coupons.issued, "redeemed": coupons.redeemed},
            "campaigns": [campaign_roi(c) for c in campaigns],
            "spend_rewards": [{"offer_id": r.offer_id, "kind": r.kind, "granted": r.granted,
                               "cost": int(r.cost), "held": r.held,
                               "purchase_volume": int(r.purchase_volume)} for r in spend],
        }

    return router


def campaign_roi(row) -> dict:
    cost, volume = int(row.cost), int(row.recharge_volume)
    return {"offer_id": row.offer_id, "recharges": row.recharges, "cost": cost,
            "recharge_volume": volume,
            "volume_per_cost_unit": round(volume / cost, 2) if cost else None}


