"""What members do, as far as outreach needs it: when each was last seen, their month in
visits, spend and recharges (for the statement), and their renewals (for the report).

Each event counts once: the consumer's inbox claim is in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import member_activity, monthly_activity, renewals


async def seen(connection: AsyncConnection, member_id: str, at: datetime, month: str, *,
               visits: int = 0, spent: int = 0, recharged: int = 0) -> None:
    statement = insert(member_activity).values(member_id=member_id, last_active_at=at)
    await connection.execute(statement.on_conflict_do_update(
        index_elements=[member_activity.c.member_id],
        set_={"last_active_at": func.greatest(member_activity.c.last_active_at,
                                              statement.excluded.last_active_at)}))
    month_row = insert(monthly_activity).values(member_id=member_id, month=month, visits=visits,
                                                spent=spent, recharged=recharged)
    await connection.execute(month_row.on_conflict_do_update(
        index_elements=[monthly_activity.c.member_id, monthly_activity.c.month],
        set_={"visits": monthly_activity.c.visits + visits,
              "spent": monthly_activity.c.spent + spent,
              "recharged": monthly_activity.c.recharged + recharged}))


async def renewed(connection: AsyncConnection, member_id: str, term_id: str, at: datetime) -> None:
    await connection.execute(insert(renewals).values(
        term_id=term_id, member_id=member_id, renewed_at=at).on_conflict_do_nothing())
