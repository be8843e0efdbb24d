"""Renewal incentives: the first MembershipExpiring reminder of a term issues the configured
coupon, once per term (later reminders of the same term find it already issued)."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards import coupon_store
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MembershipExpiring
from shared.structured_logging import get_logger

log = get_logger(__name__)


async def issue_renewal_coupon(event: MembershipExpiring, uow: UnitOfWork,
                               settings: RewardsSettings) -> None:
    if not settings.renewal_coupon_template:
        return
    reason = f"renewal:{event.term_id}"
    already = (await uow.connection.execute(text(
        "SELECT 1 FROM coupons WHERE member_id = :m AND reason = :r"),
        {"m": event.member_id, "r": reason})).first()
    if already:
        return
    template = await coupon_store.template(uow.connection, settings.renewal_coupon_template)
    if template is None:
        log.warning("renewal_coupon_template_missing", template_id=settings.renewal_coupon_template)
        return
    await coupon_store.issue(uow, event.member_id, template, reason, envelope=event.caused())
