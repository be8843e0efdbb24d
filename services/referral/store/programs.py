"""Program versions in the database: the highest stored version is in force; none stored
means the settings' default (version 0). Old versions are never changed."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.programs import Program, check_program, next_version


def _program(version: int, terms: dict) -> Program:
    return Program(**{**terms, "version": version,
                      "qualifies_on": tuple(terms["qualifies_on"])})


async def in_force(db: AsyncConnection, default: Program) -> Program:
    row = (await db.execute(text(
        "SELECT version, terms FROM programs ORDER BY version DESC LIMIT 1"))).first()
    return default if row is None else _program(row.version, row.terms)


async def version(db: AsyncConnection, number: int, default: Program) -> Program:
    if number == default.version:
        return default
    row = (await db.execute(text("SELECT version, terms FROM programs WHERE version = :v"),
                            {"v": number})).one()
    return _program(row.version, row.terms)


async def all_versions(db: AsyncConnection, default: Program) -> list[tuple[Program, str | None]]:
    rows = (await db.execute(text(
        "SELECT version, terms, created_by FROM programs ORDER BY version"))).all()
    return [(default, None)] + [(_program(r.version, r.terms), r.created_by) for r in rows]


async def add_version(db: AsyncConnection, terms: Program, default: Program, actor: str,
                      now: datetime) -> Program:
    # the table lock makes two concurrent changes two versions, not one lost update
    await db.execute(text("LOCK TABLE programs IN SHARE ROW EXCLUSIVE MODE"))
    current = await in_force(db, default)
    program = check_program(replace(terms, version=next_version(current)))
    stored = {k: v for k, v in asdict(program).items() if k != "version"}
    await db.execute(text("""
        INSERT INTO programs (version, terms, created_by, created_at)
        VALUES (:v, CAST(:terms AS jsonb), :by, :now)
    """), {"v": program.version, "terms": orjson.dumps(stored).decode(), "by": actor, "now": now})
    return program

