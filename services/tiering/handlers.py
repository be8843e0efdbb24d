"""Tiering's wallet-event handlers, and the one map that wires events to them.

Each handler locks the member first, records what the event counts for (store/
qualifying.py, amounts from rules/qualifying.py), then lets the rules decide: an upgrade
is immediate; a downgrade waits for the anniversary tier review (jobs/tier_reviews.py). A
renewal purchase also extends the membership (store/memberships.py).

`PurchaseCompleted` is handled a consumer batch at a time, and only so (one event is a
batch of one), in a handful of statements:

- one statement locks every member of the batch, in member id order;
- the enrolled members' standings are read once, before anything is recorded;
- one statement records every purchase's spend entry (a purchase delivered twice under
  two event ids counts once: the first delivery records it);
- then event by event, in delivery order: a renewal extends the membership
  (`MembershipRenewed`) if it was bought against a quote (a membership line without one
  is logged, counted and skipped: `skip_unquoted`); a renew-and-upgrade also grants the
  tier above the one held for exactly the term (store/tier_grants.py, `TierChanged` up
  now, or from the scheduler when a stacked term starts);
  and the upgrade check runs in memory
  on the standing as it is after that event's entry; only an actual upgrade writes (row,
  history, `TierChanged`, the tier's entitlements for the year). A renewal also grants the
  term's entitlements (`EntitlementGranted`, store/entitlements.py).
  So each member's events come out in the order one-at-a-time would give them.

The other services' `*DataExportPartReady` events count towards a member's data export
(store/data_exports.py; docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from prometheus_client import Counter

from services.tiering.rules.memberships import Renewal, renewal_in
from services.tiering.rules.qualifying import (
    in_rolling_year,
    purchase_refund_spend,
    purchase_spend,
    recharge_refund_amount,
    standing_of,
)
from services.tiering.rules.tiers import upgrade
from services.tiering.settings import TieringSettings
from services.tiering.store import (
    data_exports,
    experiments,
    memberships,
    qualifying,
    tier_grants,
    tiers,
)
from services.tiering.store.entitlements import grant_for_term, grant_for_tier
from services.tiering.store.erasure import record_confirmation
from services.tiering.store.members import apply_decision, lock_member, lock_members, upgrade_if_qualified
from services.tiering.store.tables import revoked_terminal_keys
from shared.db.revoked_keys import record_revocation
from shared.db.unit_of_work import UnitOfWork
from shared.events.data_exports import DataExportPartReady
from shared.events.envelope import Event
from shared.events.notifier import NotifierDataExportPartReady, NotifierMemberErased
from shared.events.referral import ReferralDataExportPartReady, ReferralMemberErased
from shared.events.rewards import (
    ExperimentPublished,
    ExperimentStopped,
    RewardsDataExportPartReady,
    RewardsMemberErased,
)
from shared.events.tiering import MembershipRevoked
from shared.events.wallet import (
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
    TerminalKeyRevoked,
    WalletDataExportPartReady,
    WalletMemberErased,
)
from shared.messaging.batches import batch
from shared.service import ServiceHandlers
from shared.structured_logging import get_logger

log = get_logger(__name__)
UNQUOTED_RENEWALS = Counter(
    "patronage_tiering_unquoted_membership_lines_total",
    "Membership purchase lines without a quote id: recorded, renewed nothing")


def counts(event: Event, settings: TieringSettings) -> bool:
    """Only amounts in the program's currency count towards tiers."""
    if getattr(event, "currency", None) != settings.currency:
        log.info("tiering_ignored_currency", event_id=str(event.event_id))
        return False
    return True


async def on_purchases_completed(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                                 settings: TieringSettings) -> None:
    db, now = uow.connection, uow.clock.now()
    members = await lock_members(db, [event.member_id for event in events])
    renewals = [renewal_in(event) for event in events]
    counted = {n for n, event in enumerate(events) if counts(event, settings)}
    enrolled = sorted({events[n].member_id for n in counted if events[n].member_id in members})
    # Read before recording: each event's entry is then added in memory, in its turn.
    sums = await qualifying.unclipped_standings(db, enrolled, now) if enrolled else {}
    first: dict[str, int] = {}  # purchase id -> its first counted event, the one recording it
    for n in sorted(counted):
        first.setdefault(events[n].purchase_id, n)
    spend = {n: purchase_spend(events[n].total, renewals[n]) for n in first.values()}
    recorded = await qualifying.record_purchases(db, [
        qualifying.PurchaseEntry(events[n].member_id, purchase_id, spend[n], events[n].occurred_at)
        for purchase_id, n in first.items()])
    rules = await tiers.rules_in_force(db, settings.default_rules()) if enrolled else None
    tier_of = {member_id: members[member_id].tier for member_id in enrolled}
    grace = timedelta(days=settings.membership_grace_days)
    for n, event in enumerate(events):
        if (renewal := renewals[n]) is not None:
            if renewal.unquoted:
                skip_unquoted(event, renewal)
            if renewal.years:
                span = await memberships.renew(uow, event, renewal, grace,
                                               settings.reminder_offsets_days)
                holder = members.get(event.member_id)
                term = await memberships.term_bought_by(db, event.purchase_id)
                await grant_for_term(uow, event.member_id, tier_of.get(
                    event.member_id, holder.tier if holder else None), term.term_id,
                    span.start, span.end, renewal.years, **event.caused())
                if renewal.upgrade and event.member_id in members:
                    rules = rules or await tiers.rules_in_force(db, settings.default_rules())
                    held = tier_of.get(event.member_id, members[event.member_id].tier)
                    raised = await tier_grants.grant_for_term(
                        uow, members[event.member_id], held, rules, event.purchase_id,
                        span.start, span.end, settings.currency, **event.caused())
                    if raised is not None:
                        await grant_for_tier(uow, event.member_id, raised.to_tier,
                                             settings.time_zone, **event.caused())
                    if raised is not None and event.member_id in tier_of:
                        tier_of[event.member_id] = raised.to_tier
        if rules is None or n not in counted or event.member_id not in tier_of:
            continue
        spend_12m, recharge = sums.get(event.member_id, (0, 0))
        if n in spend and event.purchase_id in recorded and in_rolling_year(event.occurred_at, now):
            spend_12m += spend[n]
            sums[event.member_id] = (spend_12m, recharge)
        decision = upgrade(rules, tier_of[event.member_id], standing_of(spend_12m, recharge))
        if decision is not None:
            await apply_decision(uow, members[event.member_id], decision, rules, settings.currency,
                                 now, **event.caused())
            await grant_for_tier(uow, event.member_id, decision.to_tier, settings.time_zone,
                                 **event.caused())
            tier_of[event.member_id] = decision.to_tier


def skip_unquoted(event: PurchaseCompleted, renewal: Renewal) -> None:
    """Defence in depth: the wallet sells a membership line only against a signed quote, so
    a line without one (an older producer, a bug) renews nothing; it is logged and counted,
    and the consumer carries on."""
    UNQUOTED_RENEWALS.inc(len(renewal.unquoted))
    log.warning("membership_line_without_quote_skipped", purchase_id=event.purchase_id,
                member_id=event.member_id, skus=list(renewal.unquoted),
                amount=renewal.unquoted_amount)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork,
                               settings: TieringSettings) -> None:
    await lock_member(uow.connection, event.member_id)
    term = await memberships.term_bought_by(uow.connection, event.purchase_id)
    revoked = 0
    if term is not None and term.cancelled_at is None and event.amount >= term.price:
        await memberships.revoke(uow.connection, term, uow.clock.now(), settings.reminder_offsets_days)
        revoked = term.price
        await tier_grants.revoke_for_purchase(uow.connection, event.purchase_id,
                                              f"refund {event.refund_id}", uow.clock.now())
        left = await memberships.latest_term(uow.connection, event.member_id)
        uow.emit(MembershipRevoked(
            **event.caused(occurred_at=uow.clock.now()), term_id=str(term.term_id),
            purchase_id=event.purchase_id, refund_id=event.refund_id, price=term.price,
            currency=event.currency, membership_ends_at=left.term_end if left else None))
    if not counts(event, settings):
        return
    bought, still_counted = await qualifying.original(uow.connection, "purchase", event.purchase_id)
    if bought is None:
        return
    await qualifying.record(
        uow.connection, member_id=event.member_id, measure="spend_12m",
        source_kind="purchase_refund", source_id=event.refund_id, refers_to=event.purchase_id,
        amount=purchase_refund_spend(event.amount, revoked, still_counted),
        counted_at=bought.counted_at)


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork,
                                settings: TieringSettings) -> None:
    if not counts(event, settings):
        return
    member = await lock_member(uow.connection, event.member_id)
    await qualifying.record(
        uow.connection, member_id=event.member_id, measure="lifetime_recharge",
        source_kind="recharge", source_id=event.recharge_id, amount=event.amount,
        counted_at=event.occurred_at)
    if member is not None:
        rules = await tiers.rules_in_force(uow.connection, settings.default_rules())
        decision = await upgrade_if_qualified(uow, member, rules, settings.currency, **event.caused())
        if decision is not None:
            await grant_for_tier(uow, event.member_id, decision.to_tier, settings.time_zone,
                                 **event.caused())


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork,
                               settings: TieringSettings) -> None:
    if not counts(event, settings):
        return
    await lock_member(uow.connection, event.member_id)
    paid, still_counted = await qualifying.original(uow.connection, "recharge", event.recharge_id)
    if paid is None:
        return
    await qualifying.record(
        uow.connection, member_id=event.member_id, measure="lifetime_recharge",
        source_kind="recharge_refund", source_id=event.refund_id, refers_to=event.recharge_id,
        amount=recharge_refund_amount(event.principal_refunded, still_counted),
        counted_at=paid.counted_at)


async def on_terminal_key_revoked(event: TerminalKeyRevoked, uow: UnitOfWork,
                                  settings: TieringSettings) -> None:
    # this service's API refuses the key from event.revoked_at on (shared/http/revoked_keys.py)
    await record_revocation(uow.connection, revoked_terminal_keys, event)


async def on_member_erased_by_a_service(event: Event, uow: UnitOfWork,
                                        settings: TieringSettings) -> None:
    """A service confirmed its part of an erasure; the last one completes the request."""
    await record_confirmation(uow, event.request_id, event.member_id,  # type: ignore[attr-defined]
                              event.producer_name, event.caused())


async def on_data_export_part_ready(event: DataExportPartReady, uow: UnitOfWork,
                                    settings: TieringSettings) -> None:
    """Another service stored its part of a member's data export: one more part done."""
    await data_exports.record_part_ready(uow.connection, event, uow.clock.now())


async def on_experiment_published(event: ExperimentPublished, uow: UnitOfWork,
                                  settings: TieringSettings) -> None:
    # about no member: nothing to lock; a renewal-price experiment is kept, once
    await experiments.record_published(uow, event)


async def on_experiment_stopped(event: ExperimentStopped, uow: UnitOfWork,
                                settings: TieringSettings) -> None:
    await experiments.record_stopped(uow, event)


HANDLERS: ServiceHandlers = {
    TerminalKeyRevoked: [on_terminal_key_revoked],
    ExperimentPublished: [on_experiment_published],
    ExperimentStopped: [on_experiment_stopped],
    PurchaseCompleted: [batch(on_purchases_completed)],
    PurchaseRefunded: [on_purchase_refunded],
    RechargeCompleted: [on_recharge_completed],
    RechargeRefunded: [on_recharge_refunded],
    WalletMemberErased: [on_member_erased_by_a_service],
    RewardsMemberErased: [on_member_erased_by_a_service],
    ReferralMemberErased: [on_member_erased_by_a_service],
    NotifierMemberErased: [on_member_erased_by_a_service],
    **{kind: [on_data_export_part_ready] for kind in (
        WalletDataExportPartReady, RewardsDataExportPartReady, ReferralDataExportPartReady,
        NotifierDataExportPartReady)},
}
