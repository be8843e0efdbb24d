"""Coupons rewards issues by itself, each at most once per occasion: a renewal coupon on a
membership's expiry reminders (once per term), a referral coupon when a referral qualifies
(once per referral) and a birthday coupon (once per member and year). Which template each
uses is a setting; an empty setting issues none."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards import coupon_store
from services.rewards.member_lock import lock_member
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from shared.events.referral import ReferralQualified
from shared.events.tiering import MemberEnrolled, MembershipExpiring
from shared.structured_logging import get_logger

log = get_logger(__name__)


async def issue_once(uow: UnitOfWork, member_id: str, template_id: str | None, reason: str,
                     envelope: dict | None = None) -> bool:
    if not template_id:
        return False
    already = (await uow.connection.execute(text(
        "SELECT 1 FROM coupons WHERE member_id = :m AND reason = :r"),
        {"m": member_id, "r": reason})).first()
    template = await coupon_store.template(uow.connection, template_id)
    if template is None:
        log.warning("coupon_template_missing", template_id=template_id, reason=reason)
    if already or template is None:
        return False
    await coupon_store.issue(uow, member_id, template, reason, envelope=envelope)
    return True


async def on_membership_expiring(event: MembershipExpiring, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await issue_once(uow, event.member_id, settings.renewal_coupon_template,
                     f"renewal:{event.term_id}", event.caused())


async def on_referral_qualified(event: ReferralQualified, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await issue_once(uow, event.referrer_id, settings.referral_coupon_template,
                     f"referral:{event.referral_id}", event.caused())


async def remember_birthday(db: AsyncConnection, event: MemberEnrolled) -> None:
    if event.birthday is None:
        return
    await db.execute(text("""
        INSERT INTO member_birthdays (member_id, birthday) VALUES (:m, :b)
        ON CONFLICT (member_id) DO UPDATE SET birthday = excluded.birthday
    """), {"m": event.member_id, "b": event.birthday})


def birthdays_on(day: date) -> list[str]:
    """MM-DD keys celebrated on `day`; 29 February is celebrated on the 28th in other years."""
    keys = [day.strftime("%m-%d")]
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if (day.month, day.day) == (2, 28) and not leap:
        keys.append("02-29")
    return keys


async def issue_birthday_coupons(open_uow: UnitOfWorkFactory, settings: RewardsSettings,
                                 today: date) -> int:
    if not settings.birthday_coupon_template:
        return 0
    async with open_uow() as uow:
        members = (await uow.connection.execute(text(
            "SELECT member_id FROM member_birthdays WHERE birthday = ANY(:days) ORDER BY member_id"),
            {"days": birthdays_on(today)})).scalars().all()
    issued = 0
    for member_id in members:
        async with open_uow() as uow:
            await lock_member(uow.connection, member_id)
            issued += await issue_once(uow, member_id, settings.birthday_coupon_template,
                                       f"birthday:{today.year}")
    return issued
