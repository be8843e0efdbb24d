"""Birthday announcements: on the merchant's local day, one `MemberBirthday` per member
celebrating, once a year. The birthday itself never leaves tiering; the notifier greets
and rewards gives the coupon from this event. Leader-locked (`tiering.birthdays`), in
batches, each claim written in the same transaction as its outbox rows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.tiering.rules.birthdays import birthdays_on
from services.tiering.settings import TieringSettings
from services.tiering.store.birthdays import claim_celebrations
from shared.events.tiering import MemberBirthday
from shared.jobs import leads
from shared.service import ServiceContext

JOB = "tiering.birthdays"


async def announce_birthdays(context: ServiceContext[TieringSettings],
                             settings: TieringSettings, now: datetime) -> int:
    """How many members were announced."""
    today = now.astimezone(ZoneInfo(settings.time_zone)).date()
    announced = 0
    while True:
        async with context.uow() as uow:
            if not await leads(uow.connection, JOB):
                return announced
            members = await claim_celebrations(uow.connection, birthdays_on(today), today.year,
                                               settings.scheduler_batch_size)
            for member_id in members:
                uow.emit(MemberBirthday(member_id=member_id, occurred_at=now,
                                        celebrated_on=today))
        announced += len(members)
        if len(members) < settings.scheduler_batch_size:
            return announced
