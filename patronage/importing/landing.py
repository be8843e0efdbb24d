"""Where each kind of row lands: straight in the owning service's store, one transaction
per batch, through the store functions written for it (services/tiering/store/imports.py,
services/wallet/store/opening_balances.py). The CLI runs with the deployment's database
settings, like `patronage migrate`; why it does not go through HTTP is in docs/import.md."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import BaseModel

from patronage.importing.rows import BalanceRow, HistoryRow, MemberRow, TermRow
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from services.tiering.store import imports as tiering_imports
from services.tiering.store import tables as tiering_tables
from services.tiering.store.members import Enrolment
from services.tiering.store.tiers import rules_in_force
from services.wallet.store import tables as wallet_tables
from services.wallet.store.opening_balances import OpeningBalance, open_balances
from shared.clock import Clock
from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.settings import PlatformSettings
from shared.startup_secrets import refuse_unsafe_secrets
from shared.topics import Topics

OWNER = {"members": "tiering", "history": "tiering", "terms": "tiering", "balances": "wallet"}


@dataclass(frozen=True)
class Landing:
    uow: UnitOfWorkFactory
    tiering: TieringSettings

    async def land(self, kind: str, rows: Sequence[BaseModel]) -> dict[str, str]:
        """Each row's outcome by its key: imported, already_imported or a refusal's code."""
        async with self.uow() as uow:
            if kind == "balances":
                return await open_balances(uow, [_balance(row) for row in rows])
            rules = await rules_in_force(uow.connection, self.tiering.default_rules())
            if kind == "members":
                return await tiering_imports.import_members(
                    uow, [_member(row) for row in rows], rules, self.tiering.currency,
                    self.tiering.contact_hash_key)
            if kind == "history":
                return await tiering_imports.import_spend(
                    uow, [_spend(row) for row in rows], rules, self.tiering.currency)
            return await tiering_imports.import_terms(
                uow, [_term(row) for row in rows], self.tiering.reminder_offsets_days)


@asynccontextmanager
async def landing(kind: str, platform: PlatformSettings, tiering: TieringSettings,
                  clock: Clock) -> AsyncIterator[Landing]:
    # The enrolments hash phone numbers with tiering's key: refused where tiering would be.
    refuse_unsafe_secrets(platform.environment, TIERING.secrets(tiering), TIERING.dev_secret_values)
    service = OWNER[kind]
    outbox = (wallet_tables if service == "wallet" else tiering_tables).outbox
    engine = create_service_engine(platform.database_url, service, pool_size=1)
    try:
        yield Landing(UnitOfWorkFactory(engine, outbox, Topics(platform.topic_prefix), clock),
                      tiering)
    finally:
        await engine.dispose()


def _balance(row: BalanceRow) -> OpeningBalance:
    return OpeningBalance(row.import_id, row.member_id, row.currency, row.principal, row.bonus,
                          row.bonus_expires_at if row.bonus else None)


def _member(row: MemberRow) -> tiering_imports.ImportedMember:
    fields = row.model_dump(exclude={"device_hash", "tier", "enrolled_at"})
    return tiering_imports.ImportedMember(Enrolment(**fields), row.tier, row.enrolled_at)


def _spend(row: HistoryRow) -> tiering_imports.PastSpend:
    return tiering_imports.PastSpend(row.import_id, row.member_id, row.kind, row.amount,
                                     row.currency, row.occurred_at)


def _term(row: TermRow) -> tiering_imports.ImportedTerm:
    return tiering_imports.ImportedTerm(row.import_id, row.member_id, row.term_start,
                                        row.term_end, row.price, row.currency)
