"""A member's erasure in the notifier (`MemberErasureStarted`): their contact details,
consents and consent history, and their in-app inbox are deleted; the delivery log keeps a
row per message (the count of messages sent, until delivery-log retention deletes it) with
what it said and the providers' errors emptied, and a message still pending is suppressed.
With no address left, a message made later (a reminder of a paid term still running) can
only reach the member's in-app inbox. Then `NotifierMemberErased` confirms."""

from __future__ import annotations

from sqlalchemy import text

from shared.db.unit_of_work import UnitOfWork
from shared.events.notifier import NotifierMemberErased
from shared.events.tiering import MemberErasureStarted

ERASE = tuple(text(statement) for statement in (
    "DELETE FROM contacts WHERE member_id = :m",
    "DELETE FROM consents WHERE member_id = :m",
    "DELETE FROM consent_changes WHERE member_id = :m",
    "DELETE FROM contact_changes WHERE member_id = :m",
    "DELETE FROM data_export_parts WHERE member_id = :m",
    "DELETE FROM inbox_messages WHERE member_id = :m",
    """UPDATE notifications SET facts = '{}'::jsonb, last_error = NULL, receipt_error = NULL,
         status = CASE WHEN status = 'pending' THEN 'suppressed' ELSE status END,
         next_attempt_at = NULL
       WHERE member_id = :m""",
))


async def erase_member(uow: UnitOfWork, event: MemberErasureStarted) -> None:
    for statement in ERASE:
        await uow.connection.execute(statement, {"m": event.member_id})
    uow.emit(NotifierMemberErased(**event.caused(), occurred_at=uow.clock.now(),
                                  request_id=event.request_id))
