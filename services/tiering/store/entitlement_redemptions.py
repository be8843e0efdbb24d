"""Redeeming an entitlement at the POS, reversing a redemption (ops), and the usage report.

The quota is never overdrawn, whatever the concurrency: the redemption is one conditional
`UPDATE ... SET used = used + 1 WHERE ... used < quota RETURNING`, so of N concurrent
redemptions of a quota of 3 exactly 3 find a row to update (the others see the row after
the winners commit and find `used = quota`); the table's CHECK is the last line.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.entitlements import check_redeemable
from services.tiering.store.entitlements import definitions_in_force, grant_for_tier
from services.tiering.store.members import enrolled_member, lock_member
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import EntitlementRedeemed, EntitlementRedemptionReversed
from shared.rule_violations import Conflict, NotFound

CURRENT = text("""
    SELECT entitlement_id, quota, used FROM entitlements
    WHERE member_id = :member_id AND code = :code AND period_start <= :now AND period_end > :now
    ORDER BY period_end LIMIT 1
""")
TAKE_ONE = text("""
    UPDATE entitlements SET used = used + 1
    WHERE entitlement_id = :entitlement_id AND used < quota
    RETURNING used, quota
""")
RECORD = text("""
    INSERT INTO entitlement_redemptions (redemption_id, entitlement_id, member_id, code,
        store_id, terminal_id, redeemed_at)
    VALUES (:redemption_id, :entitlement_id, :member_id, :code, :store_id, :terminal_id, :now)
""")
REVERSE = text("""
    UPDATE entitlement_redemptions
    SET reversed_at = :now, reversed_by = :actor, reversal_reason = :reason
    WHERE redemption_id = :redemption_id AND reversed_at IS NULL
    RETURNING entitlement_id, member_id, code
""")
GIVE_BACK = text("""
    UPDATE entitlements SET used = used - 1 WHERE entitlement_id = :entitlement_id
    RETURNING used, quota
""")
USAGE = text("""
    WITH granted AS (
        SELECT code, count(*) AS granted, coalesce(sum(quota), 0) AS quota
        FROM entitlements WHERE granted_at >= :start AND granted_at < :end GROUP BY code),
    redeemed AS (
        SELECT code, count(*) AS redeemed, count(reversed_at) AS reversed,
               count(DISTINCT member_id) AS members, count(DISTINCT store_id) AS stores
        FROM entitlement_redemptions WHERE redeemed_at >= :start AND redeemed_at < :end
        GROUP BY code)
    SELECT code, coalesce(granted, 0) AS granted, coalesce(quota, 0) AS quota,
           coalesce(redeemed, 0) AS redeemed, coalesce(reversed, 0) AS reversed,
           coalesce(members, 0) AS members, coalesce(stores, 0) AS stores
    FROM granted FULL JOIN redeemed USING (code) ORDER BY code
""")


class EntitlementUsedUp(Conflict):
    def __init__(self, code: str, quota: int) -> None:
        super().__init__("entitlement_used_up",
                         f"All {quota} of {code} were used in this period.")


async def redeem(uow: UnitOfWork, member_id: str, code: str, store_id: str, terminal_id: str,
                 zone: str) -> dict:
    """Take one of the member's current `code` entitlement; 409 `entitlement_used_up` when
    none is left, 404 `entitlement_not_granted` when the member holds none this period."""
    db, now = uow.connection, uow.clock.now()
    await lock_member(db, member_id)  # the member's events stay in order
    member = await enrolled_member(db, member_id)
    current = (await db.execute(CURRENT, {"member_id": member_id, "code": code, "now": now})).first()
    if current is None:  # a new calendar year: the tier the member holds grants it now
        await grant_for_tier(uow, member_id, member.tier, zone)
        current = (await db.execute(CURRENT, {"member_id": member_id, "code": code,
                                              "now": now})).first()
    if current is None:
        if (await definitions_in_force(db)).benefit(code) is None:
            raise NotFound("benefit_not_found", f"No benefit {code}.")
        raise NotFound("entitlement_not_granted", f"{member_id} holds no {code} this period.")
    check_redeemable(current.quota, code)
    taken = (await db.execute(TAKE_ONE, {"entitlement_id": current.entitlement_id})).first()
    if taken is None:
        raise EntitlementUsedUp(code, current.quota)
    redemption_id = uuid.uuid4()
    await db.execute(RECORD, {"redemption_id": redemption_id, "entitlement_id": current.entitlement_id,
                              "member_id": member_id, "code": code, "store_id": store_id,
                              "terminal_id": terminal_id, "now": now})
    uow.emit(EntitlementRedeemed(
        member_id=member_id, occurred_at=now, entitlement_id=str(current.entitlement_id),
        redemption_id=str(redemption_id), code=code, store_id=store_id, terminal_id=terminal_id,
        redeemed_at=now, used=taken.used, quota=taken.quota))
    return {"redemption_id": redemption_id, "entitlement_id": current.entitlement_id,
            "member_id": member_id, "code": code, "store_id": store_id,
            "terminal_id": terminal_id, "redeemed_at": now, "used": taken.used,
            "quota": taken.quota, "remaining": taken.quota - taken.used}


async def reverse(uow: UnitOfWork, redemption_id: uuid.UUID, actor: str, reason: str) -> dict:
    """Undo a redemption once (409 `redemption_already_reversed` the second time)."""
    db, now = uow.connection, uow.clock.now()
    found = (await db.execute(text("SELECT member_id FROM entitlement_redemptions "
                                   "WHERE redemption_id = :id"), {"id": redemption_id})).first()
    if found is None:
        raise NotFound("redemption_not_found", f"No redemption {redemption_id}.")
    await lock_member(db, found.member_id)
    row = (await db.execute(REVERSE, {"redemption_id": redemption_id, "now": now, "actor": actor,
                                      "reason": reason})).first()
    if row is None:
        raise Conflict("redemption_already_reversed", f"{redemption_id} was reversed before.")
    left = (await db.execute(GIVE_BACK, {"entitlement_id": row.entitlement_id})).one()
    uow.emit(EntitlementRedemptionReversed(
        member_id=row.member_id, occurred_at=now, entitlement_id=str(row.entitlement_id),
        redemption_id=str(redemption_id), code=row.code, reason=reason, used=left.used,
        quota=left.quota))
    return {"redemption_id": redemption_id, "entitlement_id": row.entitlement_id,
            "member_id": row.member_id, "code": row.code, "reversed_at": now,
            "reversed_by": actor, "reason": reason, "used": left.used, "quota": left.quota,
            "remaining": left.quota - left.used}


async def usage(db: AsyncConnection, start: datetime, end: datetime) -> list[dict]:
    return [dict(row._mapping) for row in await db.execute(USAGE, {"start": start, "end": end})]
