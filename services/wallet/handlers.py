"""The wallet's event handlers (rewards' bonus decisions, tiering's enrolments, tiers and
tier programs), and the one map that wires them.

Each takes the wallet's settings from the runtime (how long a bonus lot lives), so a
runtime started with other settings — a test, a merchant with 6-month bonuses — credits
by them."""

from __future__ import annotations

from collections.abc import Sequence

from services.wallet.settings import WalletSettings
from services.wallet.store import data_exports
from services.wallet.store.bonuses import credit_bonuses, mark_held, mark_rejected
from services.wallet.store.cashback import credit_cashbacks
from services.wallet.store.cashback_reversals import reverse_cashback
from services.wallet.store.erasure import erase_member
from services.wallet.store.registered_members import register_members
from services.wallet.store.tier_discounts import move_members, publish_program
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import (
    BonusGranted,
    BonusHeld,
    BonusRejected,
    CashbackGranted,
    CashbackReversed,
)
from shared.events.tiering import (
    MemberDataExportRequested,
    MemberEnrolled,
    MemberErasureStarted,
    TierChanged,
    TierProgramPublished,
)
from shared.events.wallet import WalletDataExportPartReady
from shared.messaging.batches import batch
from shared.service import ServiceHandlers


async def on_bonuses_granted(events: Sequence[BonusGranted], uow: UnitOfWork,
                             settings: WalletSettings) -> None:
    # a consumer batch's grants at once: wallets and recharges locked once (store/bonuses.py)
    await credit_bonuses(events, uow, settings.bonus_expiry_months)


async def on_cashbacks_granted(events: Sequence[CashbackGranted], uow: UnitOfWork,
                               settings: WalletSettings) -> None:
    # bonus lots for spend, once per grant; a purchase refund claws back (store/cashback.py)
    await credit_cashbacks(events, uow, settings.bonus_expiry_months)


async def on_cashback_reversed(event: CashbackReversed, uow: UnitOfWork,
                               settings: WalletSettings) -> None:
    # a spend-and-save reward a refund undid: taken back from its lot (store/cashback_reversals.py)
    await reverse_cashback(event, uow)


async def on_bonus_held(event: BonusHeld, uow: UnitOfWork, settings: WalletSettings) -> None:
    await mark_held(event, uow)


async def on_bonus_rejected(event: BonusRejected, uow: UnitOfWork,
                            settings: WalletSettings) -> None:
    await mark_rejected(event, uow)


async def on_members_enrolled(events: Sequence[MemberEnrolled], uow: UnitOfWork,
                              settings: WalletSettings) -> None:
    # the registered caps from now on (store/registered_members.py); no money moves
    await register_members(uow.connection, events)


async def on_member_erasure_started(event: MemberErasureStarted, uow: UnitOfWork,
                                    settings: WalletSettings) -> None:
    # the balance settled by the merchant's rule; the ledger keeps the member id
    await erase_member(uow, event, settings.erasure_balance)
async def on_member_data_export_requested(event: MemberDataExportRequested, uow: UnitOfWork,
                                          settings: WalletSettings) -> None:
    """Build and keep this service's part of the member's data export, then tell tiering
    (which counts the parts) how many rows it holds: never the rows themselves."""
    records = await data_exports.store_part(uow.connection, event, uow.clock.now())
    uow.emit(WalletDataExportPartReady(**event.caused(), occurred_at=uow.clock.now(),
                                       export_id=event.export_id, records=records,
                                       expires_at=event.expires_at))
async def on_tiers_changed(events: Sequence[TierChanged], uow: UnitOfWork,
                           settings: WalletSettings) -> None:
    # the tier discount at the till reads the member's tier from here (store/tier_discounts.py)
    await move_members(uow.connection, events)


async def on_tier_program_published(event: TierProgramPublished, uow: UnitOfWork,
                                    settings: WalletSettings) -> None:
    await publish_program(uow.connection, event)


HANDLERS: ServiceHandlers = {
    BonusGranted: [batch(on_bonuses_granted)],
    BonusHeld: [on_bonus_held],
    CashbackGranted: [batch(on_cashbacks_granted)],
    CashbackReversed: [on_cashback_reversed],
    BonusRejected: [on_bonus_rejected],
    MemberEnrolled: [batch(on_members_enrolled)],
    MemberErasureStarted: [on_member_erasure_started],
    MemberDataExportRequested: [on_member_data_export_requested],
    TierChanged: [batch(on_tiers_changed)],
    TierProgramPublished: [on_tier_program_published],
}
