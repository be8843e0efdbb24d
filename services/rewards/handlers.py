"""Rewards' event handlers, and the one map that wires events to them.

The consumer engine owns the transaction (inbox claim, a savepoint per event only when a
batch fails, outbox); each handler takes the member's lock, reads and writes rewards' tables
(store/) and emits its events on the unit of work. RechargeCompleted and PurchaseCompleted
are handled a consumer batch at a time (one event is a batch of one). Every event that
changes what segments look at (activity, tier, enrolment, membership, birthday) records it
in the member-facts projection and re-evaluates the member's segments in the same
transaction (store/member_facts.py, store/segments.py); activity is keyed by its source, so
a redelivered event counts once. The KPI projection (store/kpi_projection.py) is written in
the same transaction too, so the inbox that skips a redelivered event skips its count.
Recharges, purchases and renewals are also an experiment's outcomes for the members it
exposed (store/experiment_exposures.py), once per source.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.rewards.settings import RewardsSettings
from services.rewards.store import (
    bonus_decisions,
    cashback,
    coupon_issuance,
    data_exports,
    erasure,
    experiment_exposures,
    fraud_history,
    kpi_projection,
    member_tiers,
    points,
    purchases,
    referral_rewards,
    review_queue,
    segments,
    spend_and_save,
    tier_programs,
)
from services.rewards.store import member_facts as facts
from services.rewards.store.experiment_exposures import Revenue
from services.rewards.store.kpi_projection import DayCount
from services.rewards.store.member_facts import Activity
from services.rewards.store.members import lock_member
from services.rewards.store.tables import revoked_terminal_keys
from shared.db.revoked_keys import record_revocation
from shared.db.unit_of_work import UnitOfWork
from shared.events.envelope import Event
from shared.events.notifier import ConsentChanged, NotificationFailed, NotificationSent
from shared.events.referral import ReferralQualified, ReferralRevoked
from shared.events.rewards import RewardsDataExportPartReady
from shared.events.tiering import (
    MemberBirthday,
    MemberDataExportRequested,
    MemberEnrolled,
    MemberErasureStarted,
    MembershipExpiring,
    MembershipRenewed,
    MembershipRevoked,
    TierChanged,
    TieringExperimentExposed,
    TierProgramPublished,
)
from shared.events.wallet import (
    BonusCredited,
    BonusExpired,
    CashbackCredited,
    CashbackTakenBack,
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
    TerminalKeyRevoked,
)
from shared.messaging.batches import batch
from shared.service import ServiceHandlers


async def on_recharges_completed(events: Sequence[RechargeCompleted], uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await bonus_decisions.decide_bonuses(events, uow, settings)
    await kpi_projection.count_recharges(uow.connection, events, settings.zone(),
                                         settings.report_currency)
    await experiment_exposures.record_revenue(uow, [Revenue(
        "recharge", e.member_id, e.recharge_id, e.amount, e.occurred_at) for e in events])
    # after the decisions: a campaign sees the segments as they stood before the batch
    await segments.record_and_refresh(uow.connection, [
        Activity("recharge", e.recharge_id, e.member_id, e.amount, e.store_id, e.occurred_at)
        for e in events], uow.clock.now(), settings.zone())


async def on_purchases_completed(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await purchases.apply_purchases(events, uow, settings)  # locks the members
    await cashback.reward_spend(events, uow, settings)  # cash-back, spend-and-save, first-N
    await kpi_projection.count_purchases(uow.connection, events, settings.zone(),
                                         settings.report_currency)
    await experiment_exposures.record_revenue(uow, [Revenue(
        "purchase", e.member_id, e.purchase_id, e.total, e.occurred_at) for e in events])
    await segments.record_and_refresh(uow.connection, [
        Activity("purchase", e.purchase_id, e.member_id, e.total, e.store_id, e.occurred_at)
        for e in events], uow.clock.now(), settings.zone())


async def on_referral_qualified(event: ReferralQualified, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    # both sides, exactly once per referral (store/referral_rewards.py)
    await referral_rewards.grant(event, uow, settings)


async def on_referral_revoked(event: ReferralRevoked, uow: UnitOfWork,
                              settings: RewardsSettings) -> None:
    await referral_rewards.revoke(event, uow)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork,
                               settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await points.reverse_for_refund(event, uow)
    await spend_and_save.uncount_refund(uow, event)
    await _count(uow, settings, event, event.currency, purchase_amount=-event.amount,
                 bonus_returned=event.returned_bonus,
                 bonus_clawed_back=event.cashback_clawed_back)
    await segments.record_and_refresh(uow.connection, [Activity(
        "purchase_refund", event.refund_id, event.member_id, -event.amount, None,
        event.occurred_at)], uow.clock.now(), settings.zone())


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork,
                               settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await fraud_history.record_recharge_refund(uow.connection, event)
    await review_queue.withdraw_held_bonus(uow, event)
    await _count(uow, settings, event, event.currency, bonus_clawed_back=event.bonus_clawed_back)
    await segments.record_and_refresh(uow.connection, [Activity(
        "recharge_refund", event.refund_id, event.member_id, -event.principal_refunded, None,
        event.occurred_at)], uow.clock.now(), settings.zone())


async def on_tier_changed(event: TierChanged, uow: UnitOfWork, settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await member_tiers.record_tier_change(uow.connection, event)
    await _count(uow, settings, event, None, **{f"tier_{event.direction}s": 1})
    await facts.touch(uow.connection, [event.member_id], uow.clock.now())
    await segments.refresh(uow.connection, [event.member_id], uow.clock.now(), settings.zone())


async def on_tier_program_published(event: TierProgramPublished, uow: UnitOfWork,
                                    settings: RewardsSettings) -> None:
    # about no member: nothing to lock; one row per version, so a redelivery changes nothing
    await tier_programs.record_program(uow.connection, event)


async def on_membership_expiring(event: MembershipExpiring, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await coupon_issuance.issue_renewal_coupon(event, uow, settings)


async def on_member_birthday(event: MemberBirthday, uow: UnitOfWork,
                             settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await coupon_issuance.issue_birthday_coupon(event, uow, settings)
    # the month only, never the day: birthday_month_is_current needs no more
    await facts.set_facts(uow.connection, event.member_id, uow.clock.now(),
                          birthday_celebrated_month=event.celebrated_on.strftime("%Y-%m"))
    await segments.refresh(uow.connection, [event.member_id], uow.clock.now(), settings.zone())


async def on_member_enrolled(event: MemberEnrolled, uow: UnitOfWork,
                             settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await facts.set_facts(uow.connection, event.member_id, uow.clock.now(),
                          home_store=event.store_id, enrolment_channel=event.channel,
                          referral_code=event.referral_code)
    await kpi_projection.record_enrolment(uow.connection, event, settings.zone())
    await segments.refresh(uow.connection, [event.member_id], uow.clock.now(), settings.zone())


async def on_membership_renewed(event: MembershipRenewed, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await facts.extend_membership(uow.connection, event.member_id, event.term_end,
                                  uow.clock.now())
    await kpi_projection.record_term(uow.connection, event, settings.zone())
    # a renewal-price experiment's conversion; its money is the purchase that paid the term
    await experiment_exposures.record_revenue(uow, [Revenue(
        "renewal", event.member_id, event.term_id, 0, event.occurred_at)])
    await segments.refresh(uow.connection, [event.member_id], uow.clock.now(), settings.zone())


async def on_membership_revoked(event: MembershipRevoked, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await facts.set_facts(uow.connection, event.member_id, uow.clock.now(),
                          membership_ends_at=event.membership_ends_at)
    await kpi_projection.revoke_term(uow.connection, event)
    await segments.refresh(uow.connection, [event.member_id], uow.clock.now(), settings.zone())


async def on_terminal_key_revoked(event: TerminalKeyRevoked, uow: UnitOfWork,
                                  settings: RewardsSettings) -> None:
    # this service's API refuses the key from event.revoked_at on (shared/http/revoked_keys.py)
    await record_revocation(uow.connection, revoked_terminal_keys, event)


async def on_tiering_experiment_exposed(event: TieringExperimentExposed, uow: UnitOfWork,
                                       settings: RewardsSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    await experiment_exposures.record_tiering_exposure(uow, event)


async def on_member_erasure_started(event: MemberErasureStarted, uow: UnitOfWork,
                                    settings: RewardsSettings) -> None:
    await erasure.erase_member(uow, event)
async def on_member_data_export_requested(event: MemberDataExportRequested, uow: UnitOfWork,
                                          settings: RewardsSettings) -> None:
    """Build and keep this service's part of the member's data export, then tell tiering
    (which counts the parts) how many rows it holds: never the rows themselves."""
    records = await data_exports.store_part(uow.connection, event, uow.clock.now())
    uow.emit(RewardsDataExportPartReady(**event.caused(), occurred_at=uow.clock.now(),
                                        export_id=event.export_id, records=records,
                                        expires_at=event.expires_at))


async def _count(uow: UnitOfWork, settings: RewardsSettings, event: Event, currency: str | None,
                 **counters: int) -> None:
    """Add to the member's KPI day; money only in the report currency (None: no money)."""
    await _count_each([event], uow, settings, lambda _: (currency, counters))


# Events rewards only counts for the KPIs (docs/kpis.md): additions to the member's day,
# which commute, so no member lock is taken for them. They are batch handlers: a fetched
# batch's BonusCredited events (one per bonus the loop credits) are one statement, not one
# each between the recharges' batches.
async def _count_each(events: Sequence[Event], uow: UnitOfWork, settings: RewardsSettings,
                      counters_of) -> None:
    counts = []
    for event in events:
        currency, counters = counters_of(event)
        if currency is not None and currency != settings.report_currency:
            counters = {name: 0 for name in counters}
        counts.append(DayCount(event.member_id, event.occurred_at, None, **counters))
    await kpi_projection.add(uow.connection, counts, settings.zone())


async def on_bonuses_credited(events: Sequence[BonusCredited | CashbackCredited],
                              uow: UnitOfWork, settings: RewardsSettings) -> None:
    await _count_each(events, uow, settings,
                      lambda e: (e.currency, {"bonus_credited": e.amount}))


async def on_bonuses_expired(events: Sequence[BonusExpired], uow: UnitOfWork,
                             settings: RewardsSettings) -> None:
    await _count_each(events, uow, settings,
                      lambda e: (e.currency, {"bonus_expired": e.amount}))


async def on_cashback_taken_back(events: Sequence[CashbackTakenBack], uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await _count_each(events, uow, settings,
                      lambda e: (e.currency, {"bonus_clawed_back": e.amount}))


async def on_notification_sent(event: NotificationSent, uow: UnitOfWork,
                               settings: RewardsSettings) -> None:
    await _count(uow, settings, event, None, notifications_sent=1)


async def on_notification_failed(event: NotificationFailed, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await _count(uow, settings, event, None, notifications_failed=1)


async def on_consent_changed(event: ConsentChanged, uow: UnitOfWork,
                             settings: RewardsSettings) -> None:
    if event.category == "marketing" and not event.granted:
        await _count(uow, settings, event, None, marketing_opt_outs=1)


HANDLERS: ServiceHandlers = {
    TerminalKeyRevoked: [on_terminal_key_revoked],
    RechargeCompleted: [batch(on_recharges_completed)],
    PurchaseCompleted: [batch(on_purchases_completed)],
    ReferralQualified: [on_referral_qualified],
    ReferralRevoked: [on_referral_revoked],
    PurchaseRefunded: [on_purchase_refunded],
    RechargeRefunded: [on_recharge_refunded],
    TierChanged: [on_tier_changed],
    TierProgramPublished: [on_tier_program_published],
    MembershipExpiring: [on_membership_expiring],
    MemberBirthday: [on_member_birthday],
    MemberErasureStarted: [on_member_erasure_started],
    MemberEnrolled: [on_member_enrolled],
    MembershipRenewed: [on_membership_renewed],
    MembershipRevoked: [on_membership_revoked],
    TieringExperimentExposed: [on_tiering_experiment_exposed],
    MemberDataExportRequested: [on_member_data_export_requested],
    BonusCredited: [batch(on_bonuses_credited)],
    CashbackCredited: [batch(on_bonuses_credited)],
    BonusExpired: [batch(on_bonuses_expired)],
    CashbackTakenBack: [batch(on_cashback_taken_back)],
    NotificationSent: [on_notification_sent],
    NotificationFailed: [on_notification_failed],
    ConsentChanged: [on_consent_changed],
}
