"""The notifier's reports, each one statement over a time window [since, until)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

BY_KIND_AND_CHANNEL = text("""
    SELECT kind, coalesce(channel, 'none') AS channel,
           count(*) FILTER (WHERE status = 'sent') AS sent,
           count(*) FILTER (WHERE receipt_status = 'delivered') AS delivered,
           count(*) FILTER (WHERE status = 'failed' OR receipt_status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
           count(*) FILTER (WHERE status = 'pending') AS pending
    FROM notifications
    WHERE created_at >= :since AND created_at < :until
    GROUP BY 1, 2 ORDER BY 1, 2
""")

OPT_OUTS = text("""
    SELECT (SELECT count(*) FROM consent_changes
            WHERE category = 'marketing' AND NOT granted
              AND changed_at >= :since AND changed_at < :until) AS withdrawals,
           (SELECT count(*) FROM notifications
            WHERE category = 'marketing' AND status = 'sent'
              AND sent_at >= :since AND sent_at < :until) AS marketing_sent
""")

# Members reminded of a renewal in the window (a reminder sent) against members whose
# reminder did not reach them (failed, suppressed); renewed: a renewal after the first one.
RENEWALS = text("""
    WITH cohort AS (
        SELECT member_id, bool_or(status = 'sent') AS reminded, min(created_at) AS first_due
        FROM notifications
        WHERE kind = 'renewal_reminder' AND status <> 'pending'
          AND created_at >= :since AND created_at < :until
        GROUP BY member_id)
    SELECT reminded, count(*) AS members,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM renewals r
               WHERE r.member_id = cohort.member_id AND r.renewed_at >= cohort.first_due)) AS renewed
    FROM cohort GROUP BY reminded
""")


async def by_kind_and_channel(connection: AsyncConnection, since: datetime,
                              until: datetime) -> list[dict]:
    rows = await connection.execute(BY_KIND_AND_CHANNEL, {"since": since, "until": until})
    return [dict(row._mapping) for row in rows]


async def opt_outs(connection: AsyncConnection, since: datetime, until: datetime) -> tuple[int, int]:
    """(marketing consents withdrawn, marketing messages sent) in the window."""
    row = (await connection.execute(OPT_OUTS, {"since": since, "until": until})).one()
    return row.withdrawals, row.marketing_sent


async def renewals_after_reminders(connection: AsyncConnection, since: datetime,
                                   until: datetime) -> dict[bool, tuple[int, int]]:
    """reminded? -> (members, of whom renewed)."""
    rows = await connection.execute(RENEWALS, {"since": since, "until": until})
    return {row.reminded: (row.members, row.renewed) for row in rows}
