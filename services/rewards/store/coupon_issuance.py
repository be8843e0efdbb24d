"""Coupons rewards issues by itself, each at most once per occasion: a renewal coupon on a
membership's expiry reminders (once per term), the referral coupons of both sides when a
referral qualifies (once per referral, store/referral_rewards.py) and a birthday coupon
(once per member and year, on tiering's MemberBirthday). Which template each uses is a
setting or the referral program; an empty one issues none. The caller holds the
member's lock, so two deliveries of one occasion cannot both issue."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MemberBirthday, MembershipExpiring
from shared.structured_logging import get_logger

log = get_logger(__name__)


async def issue_once(uow: UnitOfWork, member_id: str, template_id: str | None, reason: str,
                     envelope: dict | None = None) -> bool:
    if not template_id:
        return False
    already = (await uow.connection.execute(text(
        "SELECT 1 FROM coupons WHERE member_id = :m AND reason = :r"),
        {"m": member_id, "r": reason})).first()
    template = await coupons.template(uow.connection, template_id)
    if template is None:
        log.warning("coupon_template_missing", template_id=template_id, reason=reason)
    if already or template is None:
        return False
    await coupons.issue(uow, member_id, template, reason, envelope=envelope)
    return True


async def issue_birthday_coupon(event: MemberBirthday, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    # Keyed by year, as the hourly job that read rewards' own copy of the birthdays keyed it:
    # nobody gets a second coupon in the year the birthdays moved to tiering.
    await issue_once(uow, event.member_id, settings.birthday_coupon_template,
                     f"birthday:{event.celebrated_on.year}", event.caused())


async def issue_renewal_coupon(event: MembershipExpiring, uow: UnitOfWork,
                               settings: RewardsSettings) -> None:
    await issue_once(uow, event.member_id, settings.renewal_coupon_template,
                     f"renewal:{event.term_id}", event.caused())

