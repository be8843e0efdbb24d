"""Renewal price lists as immutable versions (docs/tiering.md "Renewal prices"): the highest
version is in force. Version 1 is the settings' prices, stored the first time anything reads
or publishes prices, so a deployment's configured prices are version 1 and nothing changes
for it.

The quote path reads prices from `RenewalPriceCache`, never from the database per quote:
the version in force is kept in memory, replaced at once when this replica publishes, and
checked against the table's highest version (one indexed `max(version)`) at most every
`renewal_prices_refresh_seconds`, so another replica's publication is seen within that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.tiering.rules.quotes import PriceList
from services.tiering.store import tables

SEEDED_BY = "settings"  # who "published" version 1: the deployment's configuration
table = tables.renewal_price_lists


@dataclass(frozen=True)
class PriceVersion:
    version: int
    prices: PriceList
    created_by: str
    created_at: datetime


def prices_to_json(prices: PriceList) -> dict:
    figures = asdict(prices)
    figures.pop("currency")  # the program's currency is a setting, not a version's figure
    figures["lengths"] = list(prices.lengths)
    figures["length_bps"] = {str(years): bps for years, bps in prices.length_bps.items()}
    return figures


def prices_from_json(figures: dict, currency: str) -> PriceList:
    return PriceList(**{
        **figures, "currency": currency, "lengths": tuple(figures["lengths"]),
        "length_bps": {int(years): bps for years, bps in figures["length_bps"].items()}})


def _version(row, currency: str) -> PriceVersion:
    return PriceVersion(row.version, prices_from_json(row.prices, currency), row.created_by,
                        row.created_at)


async def _seed(db: AsyncConnection, seed: PriceList, now: datetime) -> None:
    await db.execute(pg_insert(table).values(
        version=1, prices=prices_to_json(seed), created_by=SEEDED_BY, created_at=now,
    ).on_conflict_do_nothing(index_elements=["version"]))


async def in_force(db: AsyncConnection, seed: PriceList, now: datetime) -> PriceVersion:
    """The highest version; stores the settings' prices as version 1 if there is none."""
    statement = select(table).order_by(table.c.version.desc()).limit(1)
    if (row := (await db.execute(statement)).first()) is None:
        await _seed(db, seed, now)
        row = (await db.execute(statement)).first()
    return _version(row, seed.currency)


async def highest_version(db: AsyncConnection) -> int:
    return (await db.execute(select(func.coalesce(func.max(table.c.version), 0)))).scalar_one()


async def publish(db: AsyncConnection, prices: PriceList, seed: PriceList, actor: str,
                  now: datetime) -> PriceVersion:
    """Store `prices` as the next version (after version 1, the settings', if none was
    stored yet). The table lock keeps versions gap-free under concurrent publishers."""
    await db.exec_driver_sql("LOCK TABLE renewal_price_lists IN SHARE ROW EXCLUSIVE MODE")
    if await highest_version(db) == 0:
        await _seed(db, seed, now)
    version = await highest_version(db) + 1
    await db.execute(insert(table).values(version=version, prices=prices_to_json(prices),
                                          created_by=actor, created_at=now))
    return PriceVersion(version, replace(prices, currency=seed.currency), actor, now)


async def history(db: AsyncConnection, seed: PriceList, now: datetime) -> list[PriceVersion]:
    """Every version, newest first, with who published it and when."""
    await in_force(db, seed, now)  # version 1 is listed even before anything was published
    rows = await db.execute(select(table).order_by(table.c.version.desc()))
    return [_version(row, seed.currency) for row in rows]


class RenewalPriceCache:
    """The version in force, in memory, for the quote path of one replica."""

    def __init__(self, engine: AsyncEngine, seed: PriceList, refresh_seconds: float,
                 now: Callable[[], datetime], monotonic: Callable[[], float] = time.monotonic):
        self._engine, self._seed, self._refresh = engine, seed, refresh_seconds
        self._now, self._monotonic = now, monotonic
        self._current: PriceVersion | None = None
        self._checked_at = 0.0

    async def current(self) -> PriceVersion:
        if self._current is None:
            await self._load()
        elif self._monotonic() - self._checked_at >= self._refresh:
            async with self._engine.connect() as db:  # another replica may have published
                if await highest_version(db) != self._current.version:
                    self._current = None
            self._checked_at = self._monotonic()
            if self._current is None:
                await self._load()
        assert self._current is not None
        return self._current

    def published(self, version: PriceVersion) -> None:
        """This replica published `version`: quote with it from now on."""
        if self._current is None or version.version > self._current.version:
            self._current = version
            self._checked_at = self._monotonic()

    async def _load(self) -> None:
        async with self._engine.begin() as db:
            self._current = await in_force(db, self._seed, self._now())
        self._checked_at = self._monotonic()
