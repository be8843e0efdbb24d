"""Contacts and consents: reading a member's reach, changing it, auditing consent changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.rules.channels import Reach
from services.notifier.store.tables import consent_changes, consents, contact_changes, contacts
from shared.db.unit_of_work import UnitOfWork
from shared.events.notifier import ConsentChanged

ADDRESS_CHANNELS = ("email", "sms", "push", "wechat")


async def contact_of(connection: AsyncConnection, member_id: str) -> dict[str, Any] | None:
    row = (await connection.execute(
        select(contacts).where(contacts.c.member_id == member_id))).mappings().first()
    return dict(row) if row else None


async def consents_of(connection: AsyncConnection, member_id: str) -> dict[tuple[str, str], bool]:
    rows = await connection.execute(
        select(consents.c.channel, consents.c.category, consents.c.granted)
        .where(consents.c.member_id == member_id))
    return {(row.channel, row.category): row.granted for row in rows}


async def reach_of(connection: AsyncConnection, member_id: str) -> tuple[Reach, dict[str, Any]]:
    """The member's reach (the in-app inbox always has an address: the member id) and
    the contact row (empty if the member never gave one)."""
    contact = await contact_of(connection, member_id) or {}
    addresses = {channel: contact.get(channel) for channel in ADDRESS_CHANNELS}
    addresses["inbox"] = member_id
    return (Reach({c: a for c, a in addresses.items() if a},
                  await consents_of(connection, member_id), contact.get("preferred_channel")),
            contact)


async def save_contact(connection: AsyncConnection, member_id: str, values: dict[str, Any],
                       now: datetime) -> None:
    """Insert or update the given columns of the member's contact; others are kept."""
    row = {"member_id": member_id, **values, "updated_at": now}
    statement = insert(contacts).values(row)
    await connection.execute(statement.on_conflict_do_update(
        index_elements=[contacts.c.member_id],
        set_={name: statement.excluded[name] for name in row if name != "member_id"}))


async def remember_enrolment(connection: AsyncConnection, member_id: str, locale: str,
                             now: datetime) -> None:
    """From MemberEnrolled: the locale, unless the member already set one here (the
    member's own choice in the app wins over the enrolment's)."""
    statement = insert(contacts).values(member_id=member_id, locale=locale, updated_at=now)
    await connection.execute(statement.on_conflict_do_update(
        index_elements=[contacts.c.member_id],
        set_={"locale": func.coalesce(contacts.c.locale, statement.excluded.locale)}))


async def set_consent(uow: UnitOfWork, member_id: str, channel: str, category: str,
                      granted: bool, actor: str, now: datetime) -> None:
    """Record the choice, its audit row and ConsentChanged; a choice that changes nothing is
    neither audited nor published. The upsert locks the (member, channel, category) row, so
    two changes of one consent reach the outbox in the order they commit."""
    connection = uow.connection
    statement = insert(consents).values(member_id=member_id, channel=channel, category=category,
                                        granted=granted, changed_at=now)
    changed = await connection.execute(statement.on_conflict_do_update(
        index_elements=[consents.c.member_id, consents.c.channel, consents.c.category],
        set_={"granted": granted, "changed_at": now},
        where=consents.c.granted.is_distinct_from(granted)).returning(consents.c.granted))
    if changed.first() is not None:
        await connection.execute(consent_changes.insert().values(
            member_id=member_id, channel=channel, category=category, granted=granted,
            actor=actor, changed_at=now))
        uow.emit(ConsentChanged(occurred_at=now, member_id=member_id, channel=channel,
                                category=category, granted=granted, actor=actor))


async def record_contact_changes(connection: AsyncConnection, member_id: str,
                                 changes: dict[str, Any], actor: str, now: datetime) -> None:
    """The audit row of a contact correction (values already masked); none if nothing changed."""
    if changes:
        await connection.execute(contact_changes.insert().values(
            member_id=member_id, actor=actor, changed_at=now, changes=changes))


async def contact_changes_of(connection: AsyncConnection, member_id: str, after: int | None,
                             limit: int) -> list[dict[str, Any]]:
    """Oldest first, `limit` + 1 rows after the `after` change (for paging)."""
    query = (select(contact_changes).where(contact_changes.c.member_id == member_id)
             .order_by(contact_changes.c.change_id).limit(limit + 1))
    if after is not None:
        query = query.where(contact_changes.c.change_id > after)
    return [dict(row) for row in (await connection.execute(query)).mappings()]
