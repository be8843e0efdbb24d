"""Offers as data: versioned rows in `offers`, read back as the pure `Program` (the rules
in rules/offers.py); campaign budgets (bonus in minor units, points campaigns' in points)
and per-member uses, each charged by a conditional UPDATE.

Versions: every change inserts a new row `(offer_id, version + 1)`; rows are never updated.
At a moment `t`, an offer's governing version is its highest version with
`effective_from <= t`; the offer is live if that version has no `effective_to` or
`t < effective_to`. So a new version supersedes the older ones from its `effective_from`
on, and ending an offer is a new version with an `effective_to`.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.offers import Campaign, Ladder, PercentOffer, Program, Rung, TierMultipliers
from services.rewards.store.tier_programs import TierProgramTimeline
from shared.rule_violations import Conflict

GOVERNING_VERSIONS = text("""
    SELECT DISTINCT ON (o.offer_id) o.offer_id, o.version, o.kind, o.name, o.currency, o.terms,
           o.effective_from, o.effective_to, o.created_by, o.created_at,
           b.budget, b.spent
    FROM offers o LEFT JOIN campaign_budgets b ON b.offer_id = o.offer_id
    WHERE o.effective_from <= :at
    ORDER BY o.offer_id, o.version DESC
""")
# Every version that may govern some moment up to :until, newest version first per offer
OFFER_VERSIONS_UNTIL = text("""
    SELECT o.offer_id, o.version, o.kind, o.name, o.currency, o.terms,
           o.effective_from, o.effective_to, o.created_by, o.created_at,
           b.budget, b.spent
    FROM offers o LEFT JOIN campaign_budgets b ON b.offer_id = o.offer_id
    WHERE o.effective_from <= :until
    ORDER BY o.offer_id, o.version DESC
""")
LATEST_VERSION = text("""
    SELECT version, kind FROM offers WHERE offer_id = :offer_id ORDER BY version DESC LIMIT 1
""")
LOCK_OFFER = text("SELECT pg_advisory_xact_lock(hashtext('rewards.offer:' || :offer_id))")
SET_BUDGET = text("""
    INSERT INTO campaign_budgets (offer_id, budget) VALUES (:offer_id, :budget)
    ON CONFLICT (offer_id) DO UPDATE SET budget = greatest(:budget, campaign_budgets.spent)
""")
CHARGE_BUDGET = text("""
    UPDATE campaign_budgets SET spent = spent + :cost
    WHERE offer_id = :offer_id AND spent + :cost <= budget RETURNING spent
""")
SET_POINTS_BUDGET = text("""
    INSERT INTO campaign_points_budgets (offer_id, budget) VALUES (:offer_id, :budget)
    ON CONFLICT (offer_id) DO UPDATE
    SET budget = greatest(:budget, campaign_points_budgets.spent)
""")
# The same conditional UPDATE as the bonus budget's: concurrent earners queue on the row
# lock and each re-checks the cap on the latest `spent`, so the cap is never passed.
CHARGE_POINTS_BUDGET = text("""
    UPDATE campaign_points_budgets SET spent = spent + :cost
    WHERE offer_id = :offer_id AND spent + :cost <= budget RETURNING spent
""")
RELEASE_POINTS_BUDGET = text("""
    UPDATE campaign_points_budgets SET spent = greatest(0, spent - :cost) WHERE offer_id = :offer_id
""")
USE_FOR_MEMBER = text("""
    INSERT INTO campaign_member_uses (offer_id, member_id, uses) VALUES (:offer_id, :member_id, 1)
    ON CONFLICT (offer_id, member_id) DO UPDATE SET uses = campaign_member_uses.uses + 1
    WHERE campaign_member_uses.uses < :max_uses
    RETURNING uses
""")
RELEASE_BUDGET = text("""
    UPDATE campaign_budgets SET spent = greatest(0, spent - :cost) WHERE offer_id = :offer_id
""")


def json_value(value: Any) -> Any:
    """JSONB read through text() arrives as text; through a Table, already decoded."""
    return json.loads(value) if isinstance(value, str) else value


def is_live(row: Mapping[str, Any], at: datetime) -> bool:
    return row["effective_from"] <= at and (row["effective_to"] is None or at < row["effective_to"])


async def live_offers(db: AsyncConnection, at: datetime, currency: str | None = None
                      ) -> list[Mapping[str, Any]]:
    rows = [{**row, "terms": json_value(row["terms"])}
            for row in (await db.execute(GOVERNING_VERSIONS, {"at": at})).mappings().all()]
    return [row for row in rows if is_live(row, at)
            and (currency is None or row["currency"] in (None, currency))]


class OfferTimeline:
    """The offers' versions read once, to answer `live_offers` for many moments up to
    `until` (a consumer batch's purchases) without a query per moment."""

    def __init__(self, versions: Sequence[Mapping[str, Any]],
                 tier_programs: TierProgramTimeline | None = None) -> None:
        self._versions = versions  # newest version first per offer, offers in id order
        self._tier_programs = tier_programs or TierProgramTimeline(())
        # Which versions govern and are live depends only on which of these moments `at`
        # has reached, so moments between the same two of them share one program.
        self._moments = sorted({row["effective_from"] for row in versions}
                               | {row["effective_to"] for row in versions if row["effective_to"]}
                               | self._tier_programs.moments())
        self._programs: dict[tuple[int, str], Program] = {}

    @classmethod
    async def read(cls, db: AsyncConnection, until: datetime) -> OfferTimeline:
        rows = (await db.execute(OFFER_VERSIONS_UNTIL, {"until": until})).mappings().all()
        return cls([{**row, "terms": json_value(row["terms"])} for row in rows],
                   await TierProgramTimeline.read(db, until))

    def live_offers(self, at: datetime, currency: str | None = None) -> list[Mapping[str, Any]]:
        """What `live_offers(db, at, currency)` returns: the governing version of each offer
        (its highest with effective_from <= at), kept if live and in the currency."""
        governing: dict[str, Mapping[str, Any]] = {}
        for row in self._versions:
            if row["offer_id"] not in governing and row["effective_from"] <= at:
                governing[row["offer_id"]] = row
        return [row for row in governing.values() if is_live(row, at)
                and (currency is None or row["currency"] in (None, currency))]

    def program(self, at: datetime, currency: str) -> Program:
        key = (bisect_right(self._moments, at), currency)
        if key not in self._programs:
            self._programs[key] = program_from(self.live_offers(at, currency),
                                               self._tier_programs.at(at))
        return self._programs[key]


def program_from(rows: Sequence[Mapping[str, Any]], tiers: TierMultipliers) -> Program:
    """The offers' program; the tier multipliers are tiering's (store/tier_programs.py), so a
    retired `tier_multiplier` offer is never read."""
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)

    def first(kind: str) -> Mapping[str, Any] | None:
        return by_kind.get(kind, [None])[0]

    ladder = first("ladder")
    first_recharge, cumulative = first("first_recharge"), first("cumulative")
    return Program(
        ladder=ladder and Ladder(ladder["offer_id"], ladder["name"],
                                 tuple(Rung(t, b) for t, b in ladder["terms"]["rungs"])),
        first_recharge=first_recharge and PercentOffer(
            first_recharge["offer_id"], first_recharge["name"], first_recharge["terms"]["bps"]),
        cumulative=cumulative and PercentOffer(
            cumulative["offer_id"], cumulative["name"], cumulative["terms"]["bps"],
            cumulative["terms"]["threshold"]),
        tiers=tiers,
        campaigns=tuple(campaign_from(row) for row in by_kind.get("campaign", ())),
    )


def campaign_from(row: Mapping[str, Any]) -> Campaign:
    terms = row["terms"]
    remaining = None if row["budget"] is None else row["budget"] - row["spent"]
    return Campaign(
        row["offer_id"], row["name"], row["effective_from"], row["effective_to"],
        bonus_bps=terms.get("bonus_bps", 10_000), points_bps=terms.get("points_bps", 10_000),
        weekdays=frozenset(terms.get("weekdays", ())), segments=frozenset(terms.get("segments", ())),
        budget_remaining=remaining, segment_ids=frozenset(terms.get("segment_ids", ())),
        max_per_member=terms.get("max_per_member"), points_budget=terms.get("points_budget"),
    )


async def load_program(db: AsyncConnection, currency: str, at: datetime) -> Program:
    tiers = (await TierProgramTimeline.read(db, at)).at(at)
    return program_from(await live_offers(db, at, currency), tiers)


async def add_version(db: AsyncConnection, offer: Mapping[str, Any]) -> int:
    """Insert the next version of an offer; a campaign's budget cap follows its newest
    version (never below what it already spent). 409 `offer_kind_mismatch` for a version
    of another kind than the offer (checked under the offer's lock)."""
    await db.execute(LOCK_OFFER, {"offer_id": offer["offer_id"]})
    latest = (await db.execute(LATEST_VERSION, {"offer_id": offer["offer_id"]})).first()
    if latest is not None and latest.kind != offer["kind"]:
        raise Conflict("offer_kind_mismatch", f"{offer['offer_id']} is a {latest.kind} offer.")
    version = 1 if latest is None else latest.version + 1
    await db.execute(text("""
        INSERT INTO offers (offer_id, version, kind, name, currency, terms, effective_from,
                            effective_to, created_by, created_at)
        VALUES (:offer_id, :version, :kind, :name, :currency, CAST(:terms AS jsonb),
                :effective_from, :effective_to, :created_by, :created_at)
    """), {**offer, "version": version})
    budget = offer.get("budget")
    if budget is not None:
        await db.execute(SET_BUDGET, {"offer_id": offer["offer_id"], "budget": budget})
    points_budget = json_value(offer["terms"]).get("points_budget")
    if points_budget is not None:
        await db.execute(SET_POINTS_BUDGET, {"offer_id": offer["offer_id"], "budget": points_budget})
    return version


async def offer_versions(db: AsyncConnection, offer_id: str) -> list[Mapping[str, Any]]:
    rows = (await db.execute(text(
        "SELECT * FROM offers WHERE offer_id = :offer_id ORDER BY version"),
        {"offer_id": offer_id})).mappings().all()
    return [{**row, "terms": json_value(row["terms"])} for row in rows]


async def charge_budget(db: AsyncConnection, offer_id: str, cost: int) -> bool:
    """Spend `cost` of a campaign's budget if it is still there. The row lock makes
    concurrent deciders queue here, and each re-checks the cap on the latest `spent`."""
    exists = (await db.execute(text("SELECT 1 FROM campaign_budgets WHERE offer_id = :o"),
                               {"o": offer_id})).first()
    if exists is None:
        return True
    return (await db.execute(CHARGE_BUDGET, {"offer_id": offer_id, "cost": cost})).first() is not None


async def charge_points_budget(db: AsyncConnection, offer_id: str, cost: int) -> bool:
    """Spend `cost` points of a points campaign's budget if it is still there."""
    charged = await db.execute(CHARGE_POINTS_BUDGET, {"offer_id": offer_id, "cost": cost})
    return charged.first() is not None


async def use_for_member(db: AsyncConnection, offer_id: str, member_id: str, max_uses: int
                         ) -> bool:
    """Count one more use of a campaign by a member, unless they reached `max_uses`."""
    used = await db.execute(USE_FOR_MEMBER, {"offer_id": offer_id, "member_id": member_id,
                                             "max_uses": max_uses})
    return used.first() is not None


async def release_use(db: AsyncConnection, offer_id: str, member_id: str) -> None:
    """Give a member's use back (a recharge bonus that lost its budget race or was rejected)."""
    await db.execute(text("""
        UPDATE campaign_member_uses SET uses = uses - 1
        WHERE offer_id = :offer_id AND member_id = :member_id AND uses > 0
    """), {"offer_id": offer_id, "member_id": member_id})


async def release_budget(db: AsyncConnection, offer_id: str, cost: int) -> None:
    await db.execute(RELEASE_BUDGET, {"offer_id": offer_id, "cost": cost})
