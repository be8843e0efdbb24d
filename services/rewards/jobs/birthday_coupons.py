"""The birthday coupons (hourly, in the merchant's time zone): every member celebrated
today gets `birthday_coupon_template` once a year, one transaction per member under the
member's lock, so every replica may run it at once."""

from __future__ import annotations

from datetime import date

from services.rewards.settings import RewardsSettings
from services.rewards.store import birthdays
from services.rewards.store.coupon_issuance import issue_once
from services.rewards.store.members import lock_member
from shared.db.unit_of_work import UnitOfWorkFactory


async def issue_birthday_coupons(open_uow: UnitOfWorkFactory, settings: RewardsSettings,
                                 today: date) -> int:
    """How many coupons were issued."""
    if not settings.birthday_coupon_template:
        return 0
    async with open_uow() as uow:
        members = await birthdays.members_celebrating(uow.connection, today)
    issued = 0
    for member_id in members:
        async with open_uow() as uow:
            await lock_member(uow.connection, member_id)
            issued += await issue_once(uow, member_id, settings.birthday_coupon_template,
                                       f"birthday:{today.year}")
    return issued
