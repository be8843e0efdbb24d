"""Referral rewards in the database: a qualified referral grants, exactly once per
referral (the `referral_rewards` primary key), the referrer's points and coupon and the
invitee's coupon, as the referral program version carried in the event says; a revoked
referral reverses the points (down to zero, the rest recorded as a loss), voids the
unused coupons (CouponVoided) and records a used one as a loss.

Events from before programs carried their rewards (no `referrer_points_bps`) earn the
fixed `referral_points` and the `referral_coupon_template` setting, referrer only."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.rules.earning import referral_earning
from services.rewards.rules.referral_rewards import points_clawback
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupon_issuance, points
from services.rewards.store.members import lock_members
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralQualified, ReferralRevoked
from shared.events.rewards import CouponVoided, PointsReversed


async def grant(event: ReferralQualified, uow: UnitOfWork, settings: RewardsSettings) -> None:
    db = uow.connection
    await lock_members(db, (event.referrer_id, event.invitee_id))
    earning = referral_earning(event, settings.referral_points,
                               minor_units_per_point=settings.minor_units_per_point)
    if event.referrer_points_bps is None:  # an event of the first v1: the referrer's setting
        referrer_template, invitee_template = settings.referral_coupon_template, None
    else:
        referrer_template = event.referrer_coupon_template
        invitee_template = event.invitee_coupon_template
    first = (await db.execute(text("""
        INSERT INTO referral_rewards (referral_id, referrer_id, invitee_id, points, status,
                                      granted_at)
        VALUES (:r, :referrer, :invitee, :points, 'granted', :now)
        ON CONFLICT (referral_id) DO NOTHING RETURNING 1
    """), {"r": event.referral_id, "referrer": event.referrer_id, "invitee": event.invitee_id,
           "points": earning.points, "now": uow.clock.now()})).first()
    if first is None:
        return  # this referral was rewarded already (a second event about it earns nothing)
    if earning.points > 0:
        await points.credit(uow, earning, event.event_id, settings.points_expiry_years,
                            event.caused())
    reason = f"referral:{event.referral_id}"
    await coupon_issuance.issue_once(uow, event.referrer_id, referrer_template, reason,
                                     event.caused())
    await coupon_issuance.issue_once(uow, event.invitee_id, invitee_template, reason,
                                     event.caused(member_id=event.invitee_id))


async def revoke(event: ReferralRevoked, uow: UnitOfWork) -> None:
    db, now = uow.connection, uow.clock.now()
    row = (await db.execute(text("""
        SELECT * FROM referral_rewards WHERE referral_id = :r
    """), {"r": event.referral_id})).mappings().first()
    if row is None or row["status"] != "granted":
        return  # never rewarded, or already clawed back
    await lock_members(db, (row["referrer_id"], row["invitee_id"]))
    await db.execute(text("""
        UPDATE referral_rewards SET status = 'revoked', revoked_at = :now WHERE referral_id = :r
    """), {"r": event.referral_id, "now": now})
    await _reverse_points(event, uow, row["referrer_id"], row["points"])
    coupons = (await db.execute(text("""
        SELECT coupon_id, member_id, value, redeemed_at FROM coupons
        WHERE reason = :reason AND voided_at IS NULL ORDER BY coupon_id
    """), {"reason": f"referral:{event.referral_id}"})).mappings().all()
    for coupon in coupons:
        if coupon["redeemed_at"] is not None:
            await _loss(uow, event.referral_id, coupon["member_id"], "coupon",
                        str(coupon["coupon_id"]), coupon["value"])
            continue
        # valid_until too, so the till's coupon check refuses it like an expired one
        await db.execute(text("""
            UPDATE coupons SET voided_at = :now, valid_until = least(valid_until, :now)
            WHERE coupon_id = :c
        """), {"now": now, "c": coupon["coupon_id"]})
        await _record(uow, event.referral_id, coupon["member_id"], "coupon",
                      str(coupon["coupon_id"]), coupon["value"], "voided")
        uow.emit(CouponVoided(**event.caused(member_id=coupon["member_id"], occurred_at=now),
                              coupon_id=str(coupon["coupon_id"]),
                              reason=f"referral {event.referral_id} revoked"))


async def _reverse_points(event: ReferralRevoked, uow: UnitOfWork, referrer_id: str,
                          granted: int) -> None:
    if granted <= 0:
        return
    balance = (await points.lock_accounts(uow.connection, [referrer_id]))[referrer_id]
    taken, lost = points_clawback(granted, balance)
    if taken:
        entry = await points.spend(
            uow.connection, referrer_id, taken, kind="reverse", at=uow.clock.now(),
            reason=f"referral {event.referral_id} revoked", source_id=event.referral_id)
        await _record(uow, event.referral_id, referrer_id, "points", entry.entry_id.hex, taken,
                      "reversed")
        uow.emit(PointsReversed(**event.caused(member_id=referrer_id, occurred_at=uow.clock.now()),
                                entry_id=str(entry.entry_id), points=taken,
                                reason="referral_revoked", source_id=event.referral_id,
                                balance=entry.balance))
    if lost:
        await _loss(uow, event.referral_id, referrer_id, "points", event.referral_id, lost)


async def _loss(uow: UnitOfWork, referral_id: str, member_id: str, kind: str, reference: str,
                amount: int) -> None:
    await _record(uow, referral_id, member_id, kind, reference, amount, "loss")


async def _record(uow: UnitOfWork, referral_id: str, member_id: str, kind: str, reference: str,
                  amount: int, outcome: str) -> None:
    await uow.connection.execute(text("""
        INSERT INTO referral_clawbacks (referral_id, member_id, kind, reference, amount,
                                        outcome, at)
        VALUES (:r, :m, :kind, :ref, :amount, :outcome, :at)
    """), {"r": referral_id, "m": member_id, "kind": kind, "ref": reference, "amount": amount,
           "outcome": outcome, "at": uow.clock.now()})
