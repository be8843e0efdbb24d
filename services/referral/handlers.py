"""Referral's event handlers, and the one map that wires events to them.

Enrolments (tiering) attribute referrals; purchases and recharges (wallet) are recorded
and may qualify the invitee's referral; refunds may revoke it. The consumer engine owns
the transaction; every handler emits through the unit of work.
"""

from __future__ import annotations

from services.referral.rules.qualification import Spend
from services.referral.settings import ReferralSettings
from services.referral.store import attribution, data_exports, members, qualification, referrals
from services.referral.store.tables import revoked_terminal_keys
from shared.db.revoked_keys import record_revocation
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralDataExportPartReady
from shared.events.tiering import MemberDataExportRequested, MemberEnrolled
from shared.events.wallet import (
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
    TerminalKeyRevoked,
)
from shared.service import ServiceHandlers


async def on_member_enrolled(event: MemberEnrolled, uow: UnitOfWork,
                             settings: ReferralSettings) -> None:
    await members.record_enrolment(uow.connection, event.member_id, event.enrolled_at,
                                   event.phone_hash, event.device_hash)
    if event.referral_code:
        await attribution.attribute(uow, event.member_id, event.referral_code,
                                    event.enrolled_at, settings.default_program(),
                                    event.caused())


async def on_spend(spend: Spend, envelope: dict, uow: UnitOfWork,
                   settings: ReferralSettings) -> None:
    await referrals.lock_invitee(uow.connection, spend.member_id)
    if not await members.record_spend(uow.connection, spend):
        return
    referral = await referrals.of_invitee(uow.connection, spend.member_id)
    if referral is not None:
        await qualification.consider(uow, referral, spend, settings.default_program(), envelope)


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork,
                                settings: ReferralSettings) -> None:
    await on_spend(Spend("recharge", event.recharge_id, event.member_id, event.amount,
                         event.currency, event.occurred_at, event.event_id,
                         event.payment_reference), event.caused(), uow, settings)


async def on_purchase_completed(event: PurchaseCompleted, uow: UnitOfWork,
                                settings: ReferralSettings) -> None:
    await on_spend(Spend("purchase", event.purchase_id, event.member_id, event.total,
                         event.currency, event.occurred_at, event.event_id), event.caused(),
                   uow, settings)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork,
                               settings: ReferralSettings) -> None:
    await qualification.refund(uow, "purchase", event.purchase_id, event.amount,
                               event.occurred_at, settings.default_program(), event.caused())


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork,
                               settings: ReferralSettings) -> None:
    await qualification.refund(uow, "recharge", event.recharge_id, event.principal_refunded,
                               event.occurred_at, settings.default_program(), event.caused())


async def on_terminal_key_revoked(event: TerminalKeyRevoked, uow: UnitOfWork,
                                  settings: ReferralSettings) -> None:
    # this service's API refuses the key from event.revoked_at on (shared/http/revoked_keys.py)
    await record_revocation(uow.connection, revoked_terminal_keys, event)


async def on_member_data_export_requested(event: MemberDataExportRequested, uow: UnitOfWork,
                                          settings: ReferralSettings) -> None:
    """Build and keep this service's part of the member's data export, then tell tiering
    (which counts the parts) how many rows it holds: never the rows themselves."""
    records = await data_exports.store_part(uow.connection, event, uow.clock.now())
    uow.emit(ReferralDataExportPartReady(**event.caused(), occurred_at=uow.clock.now(),
                                         export_id=event.export_id, records=records,
                                         expires_at=event.expires_at))


HANDLERS: ServiceHandlers = {
    TerminalKeyRevoked: [on_terminal_key_revoked],
    MemberEnrolled: [on_member_enrolled],
    RechargeCompleted: [on_recharge_completed],
    PurchaseCompleted: [on_purchase_completed],
    PurchaseRefunded: [on_purchase_refunded],
    RechargeRefunded: [on_recharge_refunded],
    MemberDataExportRequested: [on_member_data_export_requested],
}
