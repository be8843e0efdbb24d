"""The notifier's event handlers, and the one map that wires events to them.

A handler never sends anything: it records the message the event asks for (one per
source event and kind, by a unique key) in the consumer's transaction, and the delivery
job (jobs/delivery.py) sends it. A slow or broken provider never holds up the consumer.
A birthday greeting comes from tiering's MemberBirthday: the notifier never learns a
birthday. Purchases, recharges and renewals are also counted as activity, for the scheduled
statement and win-back messages (jobs/schedules.py) and the reports.

A scheduled report from rewards is queued once per ops recipient who takes its kind (one
row per report and recipient, unique) and sent by jobs/report_delivery.py.

`WEBHOOK_HANDLERS` is the webhook consumer's (its own group, `notifier-webhooks`, over every
events topic): each event is queued once per enabled subscription that wants it, and the
webhook delivery job (jobs/webhook_delivery.py) sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from services.notifier.rules.schedules import month_of
from services.notifier.rules.triggers import Draft, draft_for
from services.notifier.rules.webhooks import cloudevent_body
from services.notifier.settings import NotifierSettings
from services.notifier.store import (
    activity,
    contacts,
    data_exports,
    erasure,
    notifications,
    ops_recipients,
    report_deliveries,
    webhook_deliveries,
    webhook_subscriptions,
)
from services.notifier.store.tables import revoked_terminal_keys
from shared.db.revoked_keys import record_revocation
from shared.db.unit_of_work import UnitOfWork
from shared.events.catalog import CATALOG
from shared.events.envelope import Event
from shared.events.notifier import NotifierDataExportPartReady
from shared.events.referral import ReferralQualified
from shared.events.rewards import CouponIssued, PointsExpired, ScheduledReportPublished
from shared.events.tiering import (
    MemberBirthday,
    MemberDataExportRequested,
    MemberEnrolled,
    MemberErasureStarted,
    MembershipExpired,
    MembershipExpiring,
    MembershipRenewed,
    TierChanged,
)
from shared.events.wallet import BonusCredited, PurchaseCompleted, RechargeCompleted, TerminalKeyRevoked
from shared.messaging.batches import batch
from shared.service import ServiceHandlers


async def on_member_enrolled(event: MemberEnrolled, uow: UnitOfWork,
                             settings: NotifierSettings) -> None:
    await contacts.remember_enrolment(uow.connection, event.member_id, event.locale,
                                      uow.clock.now())


async def on_member_birthday(event: MemberBirthday, uow: UnitOfWork,
                             settings: NotifierSettings) -> None:
    """The birthday greeting. Keyed by member and year, as the schedule that read birthdays
    from the notifier's contacts keyed it, so nobody is greeted twice in the year the
    birthdays moved to tiering."""
    await notifications.record(
        uow.connection, event.member_id, Draft("birthday_greeting", {}),
        f"birthday_greeting:{event.member_id}:{event.celebrated_on.year}", uow.clock.now(),
        source_event_id=event.event_id)


async def on_outreach_event(event: Event, uow: UnitOfWork, settings: NotifierSettings) -> None:
    """Queue the message `event` asks for, if any."""
    draft = draft_for(event)
    if draft is not None:
        await notifications.record(uow.connection, event.member_id, draft,
                                   f"{event.event_id}:{draft.kind}", uow.clock.now(),
                                   source_event_id=event.event_id)


async def on_purchase_completed(event: PurchaseCompleted, uow: UnitOfWork,
                                settings: NotifierSettings) -> None:
    if event.currency == settings.currency:
        await activity.seen(uow.connection, event.member_id, event.occurred_at,
                            month_of(event.occurred_at, ZoneInfo(settings.default_time_zone)),
                            visits=1, spent=event.total)


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork,
                                settings: NotifierSettings) -> None:
    if event.currency == settings.currency:
        await activity.seen(uow.connection, event.member_id, event.occurred_at,
                            month_of(event.occurred_at, ZoneInfo(settings.default_time_zone)),
                            recharged=event.amount)


async def on_membership_renewed(event: MembershipRenewed, uow: UnitOfWork,
                                settings: NotifierSettings) -> None:
    await activity.renewed(uow.connection, event.member_id, event.term_id, event.occurred_at)


async def on_terminal_key_revoked(event: TerminalKeyRevoked, uow: UnitOfWork,
                                  settings: NotifierSettings) -> None:
    # this service's API refuses the key from event.revoked_at on (shared/http/revoked_keys.py)
    await record_revocation(uow.connection, revoked_terminal_keys, event)


async def on_member_erasure_started(event: MemberErasureStarted, uow: UnitOfWork,
                                    settings: NotifierSettings) -> None:
    await erasure.erase_member(uow, event)
async def on_member_data_export_requested(event: MemberDataExportRequested, uow: UnitOfWork,
                                          settings: NotifierSettings) -> None:
    """Build and keep this service's part of the member's data export, then tell tiering
    (which counts the parts) how many rows it holds: never the rows themselves."""
    records = await data_exports.store_part(uow.connection, event, uow.clock.now())
    uow.emit(NotifierDataExportPartReady(**event.caused(), occurred_at=uow.clock.now(),
                                         export_id=event.export_id, records=records,
                                         expires_at=event.expires_at))


async def on_scheduled_report_published(event: ScheduledReportPublished, uow: UnitOfWork,
                                        settings: NotifierSettings) -> None:
    """One delivery per recipient who takes this kind of report: the report itself is kept
    with it, so rendering needs nothing from rewards."""
    recipients = await ops_recipients.subscribed_to(uow.connection, event.kind)
    report = event.model_dump(mode="json", include={
        "report_id", "kind", "period_start", "period_end", "currency", "figures"})
    await report_deliveries.record(uow.connection, report, recipients, event.event_id,
                                   uow.clock.now())


async def on_events_for_webhooks(events: Sequence[Event], uow: UnitOfWork,
                                 settings: NotifierSettings) -> None:
    """One delivery per (enabled subscription that wants the event, event)."""
    subscriptions = await webhook_subscriptions.interested(uow.connection)
    wanted = [{"subscription_id": subscription_id, "event_id": event.event_id,
               "event_type": event.event_type, "member_id": event.member_id,
               "body": cloudevent_body(event)}
              for event in events for subscription_id, interest in subscriptions
              if interest.wants(event.event_type, event.member_id)]
    await webhook_deliveries.record(uow.connection, wanted, uow.clock.now())


HANDLERS: ServiceHandlers = {
    TerminalKeyRevoked: [on_terminal_key_revoked],
    MemberEnrolled: [on_member_enrolled],
    MemberBirthday: [on_member_birthday],
    **{kind: [on_outreach_event] for kind in (
        MembershipExpiring, MembershipExpired, TierChanged, BonusCredited, CouponIssued,
        PointsExpired, ReferralQualified)},
    RechargeCompleted: [on_outreach_event, on_recharge_completed],
    PurchaseCompleted: [on_purchase_completed],
    MembershipRenewed: [on_membership_renewed],
    MemberErasureStarted: [on_member_erasure_started],
    MemberDataExportRequested: [on_member_data_export_requested],
    ScheduledReportPublished: [on_scheduled_report_published],
}

WEBHOOK_HANDLERS: ServiceHandlers = {kind: [batch(on_events_for_webhooks)] for kind in CATALOG}
