"""Scheduled outreach as set-based inserts: each statement queues every message one
schedule owes at once, keyed so that a second run (another replica, a restart, the next
tick of the same day) adds nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

QUEUE = """
    INSERT INTO notifications (notification_id, member_id, kind, category, dedup_key, facts,
                               status, next_attempt_at, created_at)
    SELECT gen_random_uuid(), member_id, CAST(:kind AS text), 'marketing', {key}, {facts},
           'pending', CAST(:now AS timestamptz), CAST(:now AS timestamptz)
    FROM {source}
    ON CONFLICT (dedup_key) DO NOTHING
"""

STATEMENTS = text(QUEUE.format(
    key="'monthly_statement:' || member_id || ':' || month",
    facts="jsonb_build_object('month', month, 'visits', visits, 'spent', spent, "
          "'recharged', recharged, 'currency', CAST(:currency AS text))",
    source="monthly_activity WHERE month = CAST(:month AS text) AND (visits > 0 OR recharged > 0)"))

# One per quiet spell: the key names the last visit, so coming back and going quiet again
# earns another message, and staying quiet does not earn a second.
QUIET_MEMBERS = text(QUEUE.format(
    key="'we_miss_you:' || member_id || ':' || "
        "to_char(last_active_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')",
    facts="jsonb_build_object('last_seen', to_char(last_active_at AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"'))",
    source="member_activity WHERE last_active_at < CAST(:quiet_since AS timestamptz)"))


async def queue_statements(connection: AsyncConnection, month: str, currency: str,
                           now: datetime) -> int:
    result = await connection.execute(STATEMENTS, {"kind": "monthly_statement", "now": now,
                                                   "month": month, "currency": currency})
    return result.rowcount


async def queue_quiet_members(connection: AsyncConnection, quiet_since: datetime,
                              now: datetime) -> int:
    result = await connection.execute(QUIET_MEMBERS, {"kind": "we_miss_you", "now": now,
                                                      "quiet_since": quiet_since})
    return result.rowcount
