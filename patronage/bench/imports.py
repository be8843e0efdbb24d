"""Import throughput: N members with a balance and a current term each, imported by
`patronage import` (members, then balances, then terms, a batch of 1,000 a transaction),
against the reference of a plain `COPY` of the same three files into tables of the same
columns on the same database. The ratio is what landing through the services' rules costs
(locks, events, lots, the ledger, the reminder queue) over moving the bytes.

`python -m patronage.bench.imports --rows 100000` runs it alone on a fresh local
PostgreSQL; `patronage bench` runs it with the other scenarios."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from rich.console import Console

from patronage.importing.checks import Settings
from patronage.importing.landing import landing
from patronage.importing.runner import run_import
from services.tiering.settings import TieringSettings
from services.wallet.store.verification import run_verify
from shared.clock import SystemClock
from shared.db.engine import plain_url
from shared.settings import PlatformSettings

KINDS = ("members", "balances", "terms")
COLUMNS = {
    "members": "member_id text, member_number text, birthday text, tier text, enrolled_at timestamptz",
    "balances": "import_id text, member_id text, currency text, principal bigint, bonus bigint, "
                "bonus_expires_at timestamptz",
    "terms": "import_id text, member_id text, term_start timestamptz, term_end timestamptz, "
             "price bigint, currency text",
}


def write_files(work_dir: Path, rows: int, now: datetime) -> dict[str, Path]:
    tiers = ("regular", "regular", "regular", "silver", "gold")
    lines = {
        "members": ["member_id,member_number,birthday,tier,enrolled_at"] + [
            f"bm_{n},OLD-{n},{1 + n % 12:02d}-{1 + n % 28:02d},{tiers[n % 5]},"
            f"{(now - timedelta(days=30 + n % 900)).isoformat()}" for n in range(rows)],
        "balances": ["import_id,member_id,currency,principal,bonus,bonus_expires_at"] + [
            f"ob_{n},bm_{n},CNY,{1_000 + n % 50_000},{n % 700},"
            f"{(now + timedelta(days=60 + n % 300)).isoformat()}" for n in range(rows)],
        "terms": ["import_id,member_id,term_start,term_end,price,currency"] + [
            f"t_{n},bm_{n},{(now - timedelta(days=300 - n % 200)).isoformat()},"
            f"{(now + timedelta(days=65 + n % 200)).isoformat()},32400,CNY" for n in range(rows)],
    }
    paths = {kind: work_dir / f"import-{kind}.csv" for kind in KINDS}
    for kind, path in paths.items():
        path.write_text("\n".join(lines[kind]) + "\n")
    return paths


async def copy_reference(database_url: str, paths: dict[str, Path]) -> float:
    """Seconds to COPY the three files into plain tables of the same columns."""
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy")
        for kind in KINDS:
            await connection.execute(f"CREATE TABLE bench_copy.{kind} ({COLUMNS[kind]})")
        started = time.perf_counter()
        for kind in KINDS:
            await connection.copy_to_table(kind, schema_name="bench_copy", source=paths[kind],
                                           format="csv", header=True)
        seconds = time.perf_counter() - started
        await connection.execute("DROP SCHEMA bench_copy CASCADE")
        return seconds
    finally:
        await connection.close()


async def import_throughput(database_url: str, work_dir: Path, rows: int) -> dict:
    clock = SystemClock()
    platform = PlatformSettings(environment="test", database_url=database_url, log_json=False)
    paths = write_files(work_dir, rows, clock.now())
    reference = await copy_reference(database_url, paths)
    seconds: dict[str, float] = {}
    for kind in KINDS:
        started = time.perf_counter()
        async with landing(kind, platform, TieringSettings(), clock) as lands:
            outcome = await run_import(
                kind, paths[kind], report=work_dir / f"{kind}.report.csv", dry_run=False,
                batch_size=1000, settings=Settings(frozenset({"CNY"}), "CNY"), now=clock.now(),
                landing=lands, console=Console(file=io.StringIO()))
        seconds[kind] = time.perf_counter() - started
        if outcome.counts["imported"] != rows:
            raise RuntimeError(f"{kind}: {dict(outcome.counts)}, problems {outcome.problems[:3]}")
    verified = await run_verify(platform)
    total = sum(seconds.values())
    return {"name": "import_throughput", "rows": rows, "seconds": round(total, 2),
            "seconds_by_kind": {k: round(v, 2) for k, v in seconds.items()},
            "rows_per_second": round(rows / total, 1), "ledger_ok": verified["ok"],
            "reference": {"copy_seconds": round(reference, 3)},
            "ratio_vs_copy": round(total / reference, 1)}


def main() -> None:
    from patronage.local.postgres import LocalPostgres
    from services.tiering.service import SPEC as TIERING
    from services.wallet.service import SPEC as WALLET
    from shared.db.engine import with_database
    from shared.db.migrations import upgrade_to_head

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="patronage-bench-import-") as work:
        with LocalPostgres(Path(work) / "postgres", durable=True) as postgres:
            postgres.create_database("patronage")
            url = with_database(postgres.dsn, "patronage")
            for spec in (TIERING, WALLET):
                upgrade_to_head(spec.migrations, url, spec.name)
            result = asyncio.run(import_throughput(url, Path(work), rows))
    print(json.dumps({**result, "at": datetime.now(UTC).isoformat()}, indent=2))


if __name__ == "__main__":
    main()
