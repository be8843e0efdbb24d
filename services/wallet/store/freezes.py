"""Freezing and unfreezing a member's wallets (every currency), audited in `wallet_freezes`,
announced as WalletFrozen / WalletUnfrozen. What a freeze refuses is rules/freezes.py; the
recharge's stored function checks `frozen_wallets` itself (and a `freeze` risk rule inserts
into it, in the recharge's own transaction)."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.freezes import AlreadyFrozen, NotFrozen, WalletIsFrozen
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import WalletFrozen, WalletUnfrozen

# Locks every wallet of the member (in key order) so a recharge or purchase running now
# finishes first and every later one sees the freeze.
LOCK_MEMBER_WALLETS = text("""
    SELECT currency FROM wallets WHERE member_id = :m ORDER BY currency FOR UPDATE
""")
FREEZE = text("""
    INSERT INTO frozen_wallets (member_id, frozen_at, reason, actor)
    VALUES (:m, :now, :reason, :actor) ON CONFLICT (member_id) DO NOTHING RETURNING member_id
""")
UNFREEZE = text("DELETE FROM frozen_wallets WHERE member_id = :m RETURNING member_id")
AUDIT = text("""
    INSERT INTO wallet_freezes (freeze_id, member_id, action, reason, actor, at)
    VALUES (:id, :m, :action, :reason, :actor, :now)
""")
FROZEN = text("SELECT frozen_at, reason, actor FROM frozen_wallets WHERE member_id = :m")


async def freeze(uow: UnitOfWork, member_id: str, reason: str, actor: str) -> dict:
    return await _change(uow, member_id, reason, actor, "freeze")


async def unfreeze(uow: UnitOfWork, member_id: str, reason: str, actor: str) -> dict:
    return await _change(uow, member_id, reason, actor, "unfreeze")


async def _change(uow: UnitOfWork, member_id: str, reason: str, actor: str, action: str) -> dict:
    db, now = uow.connection, uow.clock.now()
    await db.execute(LOCK_MEMBER_WALLETS, {"m": member_id})
    params = {"m": member_id, "now": now, "reason": reason, "actor": actor}
    changed = (await db.execute(FREEZE if action == "freeze" else UNFREEZE, params)).first()
    if changed is None:
        raise AlreadyFrozen(member_id) if action == "freeze" else NotFrozen(member_id)
    freeze_id = uuid.uuid4()
    await db.execute(AUDIT, {**params, "id": freeze_id, "action": action})
    kind = WalletFrozen if action == "freeze" else WalletUnfrozen
    uow.emit(kind(occurred_at=now, member_id=member_id, reason=reason, actor=actor))
    return {"freeze_id": freeze_id, "member_id": member_id, "frozen": action == "freeze",
            "reason": reason, "actor": actor, "at": now}


async def frozen(db: AsyncConnection, member_id: str) -> dict | None:
    """The member's freeze now (when, why, who), or None."""
    row = (await db.execute(FROZEN, {"m": member_id})).first()
    return dict(row._mapping) if row else None


async def refuse_if_frozen(db: AsyncConnection, member_id: str) -> None:
    """After the wallet lock: a frozen member may not spend (423 `wallet_frozen`)."""
    if await frozen(db, member_id) is not None:
        raise WalletIsFrozen(member_id)
