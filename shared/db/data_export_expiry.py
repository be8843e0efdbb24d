"""The job that deletes a service's expired parts of members' data exports
(shared/db/data_export_parts.py): an export holds personal data, so its copy goes when the
export's time is up (PATRONAGE_TIERING_DATA_EXPORT_DAYS), not when someone remembers to.
Leader-locked like every sweep, though a second copy would only find nothing to delete."""

from __future__ import annotations

from shared.db.data_export_parts import delete_expired_parts
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext

EVERY_SECONDS = 3600.0


def data_export_parts_expiry(context: ServiceContext, every_seconds: float = EVERY_SECONDS,
                             ) -> PeriodicJob:
    async def run_once() -> int:
        async with context.uow() as uow:
            if not await leads(uow.connection, f"{context.name}.data_export_parts_expiry"):
                return 0
            return await delete_expired_parts(uow.connection, uow.clock.now())

    return periodic(f"{context.name}_data_export_parts_expiry", every_seconds, run_once)
