"""Segments as data: versions in `segments` (immutable rows, like offers), and who is in
each segment now in `segment_members`, kept current as facts change.

- A rule segment's members are re-evaluated for a member whenever the consumers change that
  member's facts (`refresh`, called by the handlers in the same transaction), for every
  member when a new version is added (`add_version`), and daily for facts that move with
  time alone (windows sliding, days to expiry, the birthday month ending:
  jobs/segment_refresh.py).
- A list segment's members are what ops uploaded (`add_listed`).
So "who is in it now" is a read of `segment_members` by its key, never a scan of facts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.segments import matches
from services.rewards.store.member_facts import Activity, facts_of, record_activity
from services.rewards.store.offers import json_value
from shared.rule_violations import Conflict, NotFound

CURRENT_RULES = text("""
    SELECT * FROM (SELECT DISTINCT ON (segment_id) segment_id, version, kind, rule
                   FROM segments ORDER BY segment_id, version DESC) s
    WHERE kind = 'rule' AND (CAST(:only AS text) IS NULL OR segment_id = :only)
""")
LOCK_SEGMENT = text("SELECT pg_advisory_xact_lock(hashtext('rewards.segment:' || :segment_id))")
LATEST = text("SELECT version, kind FROM segments WHERE segment_id = :s ORDER BY version DESC LIMIT 1")
MEMBERS_IN = text("""
    SELECT segment_id, member_id FROM segment_members
    WHERE member_id = ANY(CAST(:members AS text[])) AND segment_id = ANY(CAST(:segments AS text[]))
""")
ADD_MEMBERS = text("""
    INSERT INTO segment_members (segment_id, member_id, since)
    SELECT r.segment_id, r.member_id, CAST(:now AS timestamptz)
    FROM unnest(CAST(:segments AS text[]), CAST(:members AS text[])) AS r(segment_id, member_id)
    ON CONFLICT DO NOTHING
""")
REMOVE_MEMBERS = text("""
    DELETE FROM segment_members s
    USING unnest(CAST(:segments AS text[]), CAST(:members AS text[])) AS r(segment_id, member_id)
    WHERE s.segment_id = r.segment_id AND s.member_id = r.member_id
""")
KNOWN_MEMBERS = text("""
    SELECT member_id FROM member_facts WHERE member_id > :after ORDER BY member_id LIMIT :limit
""")


async def current_rules(db: AsyncConnection, only: str | None = None) -> dict[str, Any]:
    """The rule of each rule segment's newest version, by segment id."""
    rows = (await db.execute(CURRENT_RULES, {"only": only})).mappings().all()
    return {row["segment_id"]: json_value(row["rule"]) for row in rows}


async def refresh(db: AsyncConnection, member_ids: Sequence[str], now: datetime, zone: ZoneInfo,
                  rules: Mapping[str, Any] | None = None) -> None:
    """Re-evaluate the members' rule segments (all of them, or `rules`) on their facts now:
    add the members who match, remove those who no longer do. Idempotent."""
    rules = await current_rules(db) if rules is None else rules
    if not member_ids or not rules:
        return
    facts = await facts_of(db, member_ids, now, zone)
    wanted = {(segment_id, f.member_id) for f in facts for segment_id, rule in rules.items()
              if matches(rule, f)}
    rows = await db.execute(MEMBERS_IN, {"members": [f.member_id for f in facts],
                                         "segments": list(rules)})
    present = {(row.segment_id, row.member_id) for row in rows}
    await _write(db, ADD_MEMBERS, sorted(wanted - present), now)
    await _write(db, REMOVE_MEMBERS, sorted(present - wanted), now)


async def _write(db: AsyncConnection, statement: Any, pairs: Sequence[tuple[str, str]],
                 now: datetime) -> None:
    if pairs:
        await db.execute(statement, {"segments": [s for s, _ in pairs],
                                     "members": [m for _, m in pairs], "now": now})


async def known_members(db: AsyncConnection, after: str, limit: int) -> list[str]:
    """Members with facts, in id order after `after` (the keyset pages of a full evaluation)."""
    return list((await db.execute(KNOWN_MEMBERS, {"after": after, "limit": limit})).scalars())


async def add_version(db: AsyncConnection, segment: Mapping[str, Any], now: datetime,
                      zone: ZoneInfo, page_size: int = 1000) -> int:
    """Insert the next version of a segment; a rule segment is evaluated for every member
    at once, so a preview right after is right. 409 `segment_kind_mismatch` for a version
    of the other kind (checked under the segment's lock)."""
    segment_id = segment["segment_id"]
    await db.execute(LOCK_SEGMENT, {"segment_id": segment_id})
    latest = (await db.execute(LATEST, {"s": segment_id})).first()
    if latest is not None and latest.kind != segment["kind"]:
        raise Conflict("segment_kind_mismatch", f"{segment_id} is a {latest.kind} segment.")
    version = 1 if latest is None else latest.version + 1
    await db.execute(text("""
        INSERT INTO segments (segment_id, version, name, kind, rule, created_by, created_at)
        VALUES (:segment_id, :version, :name, :kind, CAST(:rule AS jsonb), :created_by, :now)
    """), {**segment, "version": version, "now": now,
           "rule": None if segment.get("rule") is None else json.dumps(segment["rule"])})
    if segment["kind"] == "rule":
        rules = {segment_id: segment["rule"]}
        after = ""
        while members := await known_members(db, after, page_size):
            await refresh(db, members, now, zone, rules)
            after = members[-1]
    return version


async def segment_versions(db: AsyncConnection, segment_id: str) -> list[Mapping[str, Any]]:
    rows = (await db.execute(text(
        "SELECT * FROM segments WHERE segment_id = :s ORDER BY version"),
        {"s": segment_id})).mappings().all()
    if not rows:
        raise NotFound("segment_not_found", f"No segment {segment_id}.")
    return [{**row, "rule": json_value(row["rule"])} for row in rows]


async def preview(db: AsyncConnection, segment_id: str, sample: int) -> dict[str, Any]:
    """How many members are in the segment now, and the first `sample` of them by id."""
    latest = (await segment_versions(db, segment_id))[-1]
    count = (await db.execute(text("SELECT count(*) FROM segment_members WHERE segment_id = :s"),
                              {"s": segment_id})).scalar_one()
    ids = (await db.execute(text("""
        SELECT member_id FROM segment_members WHERE segment_id = :s ORDER BY member_id LIMIT :n
    """), {"s": segment_id, "n": sample})).scalars()
    return {"segment_id": segment_id, "version": latest["version"], "kind": latest["kind"],
            "count": count, "sample": list(ids)}


async def add_listed(db: AsyncConnection, segment_id: str, member_ids: Sequence[str],
                     now: datetime) -> int:
    """Add uploaded members to a list segment: how many were new. 409 `segment_not_a_list`
    for a rule segment (its members follow its rule)."""
    latest = (await segment_versions(db, segment_id))[-1]
    if latest["kind"] != "list":
        raise Conflict("segment_not_a_list", f"{segment_id} is a rule segment.")
    unique = sorted(set(member_ids))
    added = await db.execute(text("""
        INSERT INTO segment_members (segment_id, member_id, since)
        SELECT :s, unnest(CAST(:members AS text[])), :now ON CONFLICT DO NOTHING
    """), {"s": segment_id, "members": unique, "now": now})
    return added.rowcount


async def members_page(db: AsyncConnection, segment_id: str, after: str | None, limit: int
                       ) -> list[Mapping[str, Any]]:
    await segment_versions(db, segment_id)
    return [dict(row) for row in (await db.execute(text("""
        SELECT member_id, since FROM segment_members
        WHERE segment_id = :s AND (CAST(:after AS text) IS NULL OR member_id > :after)
        ORDER BY member_id LIMIT :limit
    """), {"s": segment_id, "after": after, "limit": limit})).mappings()]


async def segments_of(db: AsyncConnection, member_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """The segments each member is in now (the campaigns' targeting); absent: none."""
    rows = await db.execute(text("""
        SELECT member_id, array_agg(segment_id) AS segment_ids FROM segment_members
        WHERE member_id = ANY(CAST(:m AS text[])) GROUP BY member_id
    """), {"m": sorted(set(member_ids))})
    return {row.member_id: frozenset(row.segment_ids) for row in rows}


async def record_and_refresh(db: AsyncConnection, activities: Sequence[Activity], now: datetime,
                             zone: ZoneInfo) -> None:
    """Record activities (each once) and re-evaluate their members' segments."""
    await record_activity(db, activities, now)
    await refresh(db, sorted({a.member_id for a in activities}), now, zone)
