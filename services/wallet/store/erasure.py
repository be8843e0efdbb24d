"""A member's erasure in the wallet (`MemberErasureStarted`): the wallet holds no contact
details, so what it does is settle the money. The ledger, the lots and the records keep the
member id (the books must verify, and a refund or a dispute of a past payment needs them);
whatever value is left in each currency leaves the member's accounts in one journal entry
by the merchant's rule (`erasure_balance`, rules/entries.py `erasure_lines`), lots emptied
and the wallet row moved with it, and `WalletMemberErased` says how much and how.

Once only: the inbox makes a redelivery a no-op, and a second request finds nothing left."""

from __future__ import annotations

from sqlalchemy import text

from services.wallet.rules.entries import erasure_lines
from services.wallet.rules.lots import Draw
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots
from services.wallet.store.wallets import lock_wallet, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MemberErasureStarted
from shared.events.wallet import ErasedBalance, WalletMemberErased

ERASE_EXPORT_PARTS = text("DELETE FROM data_export_parts WHERE member_id = :m")
CURRENCIES = text("SELECT currency FROM wallets WHERE member_id = :m ORDER BY currency")
# every lot with value, held ones too: a held recharge is the member's principal as well
LOTS_WITH_VALUE = text("""
    SELECT lot_id, kind, remaining, held FROM lots
    WHERE member_id = :m AND currency = :c AND remaining > 0 ORDER BY seq
""")


async def erase_member(uow: UnitOfWork, event: MemberErasureStarted, treatment: str) -> None:
    db, now = uow.connection, uow.clock.now()
    member_id = event.member_id
    settled = []
    for currency in list((await db.execute(CURRENCIES, {"m": member_id})).scalars()):
        await lock_wallet(db, member_id, currency)
        lots = (await db.execute(LOTS_WITH_VALUE, {"m": member_id, "c": currency})).all()
        principal = sum(lot.remaining for lot in lots if lot.kind == "principal")
        held = sum(lot.remaining for lot in lots if lot.held)
        bonus = sum(lot.remaining for lot in lots if lot.kind == "bonus")
        if not principal + bonus:
            continue
        await move_lots(db, [Draw(lot.lot_id, lot.kind, -lot.remaining) for lot in lots])
        await move_balances(db, member_id, currency, -(principal - held), -bonus, now, held=-held)
        await post_entry(db, member_id=member_id, currency=currency, kind="erasure",
                         source_id=event.request_id, reason=f"member erased: balance {treatment}",
                         lines=erasure_lines(member_id, principal, bonus, treatment), now=now)
        settled.append(ErasedBalance(currency=currency, principal=principal, bonus=bonus,
                                     treatment=treatment))
    await db.execute(ERASE_EXPORT_PARTS, {"m": member_id})
    uow.emit(WalletMemberErased(**event.caused(), occurred_at=now, request_id=event.request_id,
                                balances=tuple(settled)))
