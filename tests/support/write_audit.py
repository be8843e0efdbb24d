"""An audit of which transactions wrote member-visible state, and which events they emitted.

Row triggers (test databases only) record every write to the tables of
`member_state.DESCRIBED`, and every outbox insert, with the transaction's id and the member
the row is about. `silent_writes` then names each write whose transaction emitted none of
the table's events about that member: a write path that changes what a subscriber
rebuilds without telling it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import asyncpg

from shared.db.engine import plain_url
from tests.support.member_state import DESCRIBED

INSTALL = """
CREATE TABLE public.write_audit (
  seq bigserial PRIMARY KEY, txid bigint NOT NULL, table_name text NOT NULL, op text NOT NULL,
  member text, ce_type text, changed text[]);
CREATE FUNCTION public.audit_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_data jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
    RETURN NULL;  -- rewritten as it was: nothing changed
  END IF;
  INSERT INTO public.write_audit (txid, table_name, op, member, ce_type, changed)
    VALUES (txid_current(), TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
            row_data ->> TG_ARGV[0], row_data ->> 'ce_type',
            CASE WHEN TG_OP = 'UPDATE' THEN ARRAY(
              SELECT after.key FROM jsonb_each(row_data) AS after
              WHERE after.value IS DISTINCT FROM to_jsonb(OLD) -> after.key ORDER BY 1) END);
  RETURN NULL;
END $$;
"""
TRIGGER = ("CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON {table} "
           "FOR EACH ROW EXECUTE FUNCTION public.audit_write('{member}')")
SERVICES = ("wallet", "tiering", "rewards", "referral", "notifier")


@dataclass(frozen=True)
class Write:
    table: str
    op: str
    member: str | None
    changed: tuple[str, ...]  # an UPDATE's changed columns
    emitted: frozenset[str]  # event names the transaction emitted about that member


async def install(database_url: str) -> None:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        await connection.execute(INSTALL)
        for table, described in DESCRIBED.items():
            await connection.execute(TRIGGER.format(table=table,
                                                    member=described.member_column or ""))
        for service in SERVICES:
            await connection.execute(TRIGGER.format(table=f"{service}.outbox", member="key"))
    finally:
        await connection.close()


async def audited_writes(database_url: str) -> list[Write]:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await connection.fetch("SELECT * FROM public.write_audit ORDER BY seq")
    finally:
        await connection.close()
    emitted: dict[tuple[int, str | None], set[str]] = defaultdict(set)
    for row in rows:
        if row["table_name"].endswith(".outbox") and row["op"] == "INSERT":
            name = row["ce_type"].split(".")[2]
            emitted[(row["txid"], row["member"])].add(name)
            emitted[(row["txid"], None)].add(name)
    return [Write(row["table_name"], row["op"], row["member"], tuple(row["changed"] or ()),
                  frozenset(emitted[(row["txid"], row["member"])]))
            for row in rows if row["table_name"] in DESCRIBED]


def silent_writes(writes: list[Write]) -> list[str]:
    """Each write none of whose table's events its transaction emitted about its member."""
    found = []
    for write in writes:
        described = DESCRIBED[write.table]
        if write.op in described.quiet or set(described.events) & write.emitted:
            continue
        if write.op == "UPDATE" and set(write.changed) <= set(described.bookkeeping):
            continue
        columns = f" of {', '.join(write.changed)}" if write.changed else ""
        found.append(f"{write.op}{columns} {write.table} (member {write.member}) with "
                     f"{sorted(write.emitted) or 'no event'}")
    return sorted(set(found))
