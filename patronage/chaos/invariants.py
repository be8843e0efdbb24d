"""What must hold once a chaos run has drained, read straight from each service's schema.

- every acknowledged request's effect is there (else a loss), and no effect is there twice
  (two recharges for one payment reference, two journal entries for one source, two bonus
  credits for one recharge, two tier-spend or points entries for one purchase);
- every recharge has exactly one bonus decision, and a granted one is credited once;
- nothing is stuck: no recharge still waiting for its decision, no bonus still held, no
  outbox row unpublished;
- the wallet's ledger verifies (`patronage wallet verify`), and tiering's measures and tiers
  and rewards' points equal a recomputation from the wallet's ledger with the services' own
  pure rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import asyncpg

from patronage.chaos.client import Tally
from patronage.services import SERVICES
from services.rewards.rules.points import points_for_amount, purchase_eligible_amount, reversal_due
from services.tiering.rules.qualifying import purchase_refund_spend, standing_of
from services.tiering.rules.tiers import qualified_tier
from services.tiering.settings import TieringSettings
from services.wallet.store.verification import run_verify
from shared.db.engine import plain_url
from shared.settings import PlatformSettings

MEMBERS = "chaos-%"
EFFECTS = {  # kind of request -> how many of the acknowledged ids are found
    "enrolment": "SELECT count(*) FROM tiering.members WHERE member_id = ANY($1::text[])",
    "recharge": "SELECT count(*) FROM wallet.recharges WHERE recharge_id = ANY($1::uuid[])",
    "purchase": "SELECT count(*) FROM wallet.purchases WHERE purchase_id = ANY($1::uuid[])",
    "refund": "SELECT count(*) FROM wallet.refunds WHERE refund_id = ANY($1::uuid[])",
    "review": """SELECT count(*) FROM rewards.bonus_decisions d, unnest($1::uuid[], $2::text[])
                 AS r(grant_id, verb) WHERE d.grant_id = r.grant_id
                 AND d.status = CASE r.verb WHEN 'approve' THEN 'granted' ELSE 'rejected' END""",
}
DUPLICATES = {
    "recharges per payment reference": """SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n
        FROM wallet.recharges WHERE member_id LIKE $1 GROUP BY payment_reference) x""",
    "journal entries per source": """SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n
        FROM wallet.journal_entries WHERE member_id LIKE $1 GROUP BY kind, source_id) x""",
    "bonus credits per recharge": """SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n
        FROM wallet.lots WHERE member_id LIKE $1 AND kind = 'bonus' AND source_kind = 'grant'
        GROUP BY recharge_id) x""",
    "tier spend entries per source": """SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n
        FROM tiering.spend_entries WHERE member_id LIKE $1 GROUP BY source_kind, source_id) x""",
    "points earned per purchase": """SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n
        FROM rewards.points_entries WHERE member_id LIKE $1 AND kind = 'earn'
        GROUP BY source_id) x""",
}
UNDECIDED = """SELECT count(*) FROM wallet.recharges r WHERE member_id LIKE $1 AND NOT EXISTS
    (SELECT FROM rewards.bonus_decisions d WHERE d.recharge_id = r.recharge_id::text)"""
UNREGISTERED = """SELECT count(*) FROM tiering.members m WHERE member_id LIKE $1 AND NOT EXISTS
    (SELECT FROM wallet.registered_members w WHERE w.member_id = m.member_id)"""
STUCK = {
    "recharges with bonus pending": """SELECT count(*) FROM wallet.recharges
        WHERE member_id LIKE $1 AND bonus_status = 'pending'""",
    "bonuses still held": """SELECT count(*) FROM rewards.bonus_decisions
        WHERE member_id LIKE $1 AND status = 'held'""",
    "granted, not credited": """SELECT count(*) FROM rewards.bonus_decisions d
        JOIN wallet.recharges r ON r.recharge_id::text = d.recharge_id
        WHERE d.member_id LIKE $1 AND d.status = 'granted' AND r.bonus_status <> 'credited'""",
}


@dataclass
class Figures:
    acknowledged: int = 0
    effects_found: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    losses: dict[str, int] = field(default_factory=dict)
    stuck: dict[str, int] = field(default_factory=dict)
    ledger_problems: list[str] = field(default_factory=list)
    recharges: int = 0
    decisions: int = 0
    tier_mismatches: list[str] = field(default_factory=list)
    points_mismatches: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (sum(self.duplicates.values()) or sum(self.losses.values())
                    or sum(self.stuck.values()) or self.ledger_problems
                    or self.tier_mismatches or self.points_mismatches)


def acknowledged_ids(tally: Tally) -> dict[str, tuple]:
    return {"enrolment": (sorted(tally.enrolled),),
            "recharge": (list(tally.recharges.values()),),
            "purchase": (list(tally.purchases.values()),),
            "refund": (list(tally.refunds),),
            "review": (list(tally.reviews), list(tally.reviews.values()))}


async def measure(database_url: str, tally: Tally) -> Figures:
    figures = Figures()
    db = await asyncpg.connect(plain_url(database_url))
    try:
        for kind, args in acknowledged_ids(tally).items():
            found = await db.fetchval(EFFECTS[kind], *args)
            figures.acknowledged += len(args[0])
            figures.effects_found += found
            figures.losses[f"acknowledged {kind}s not found"] = len(args[0]) - found
        figures.losses["recharges with no bonus decision"] = await db.fetchval(UNDECIDED, MEMBERS)
        figures.losses["members the wallet never registered"] = await db.fetchval(UNREGISTERED, MEMBERS)
        for name, query in DUPLICATES.items():
            figures.duplicates[name] = await db.fetchval(query, MEMBERS)
        for name, query in STUCK.items():
            figures.stuck[name] = await db.fetchval(query, MEMBERS)
        for spec in SERVICES:
            figures.stuck[f"{spec} outbox unpublished"] = await db.fetchval(
                f"SELECT count(*) FROM {spec}.outbox WHERE published_at IS NULL")
        figures.recharges = await db.fetchval(
            "SELECT count(*) FROM wallet.recharges WHERE member_id LIKE $1", MEMBERS)
        figures.decisions = await db.fetchval(
            "SELECT count(*) FROM rewards.bonus_decisions WHERE member_id LIKE $1", MEMBERS)
        await recompute(db, figures)
    finally:
        await db.close()
    report = await run_verify(PlatformSettings(environment="test", database_url=database_url))
    figures.ledger_problems = list(report["problems"])
    return figures


async def recompute(db: asyncpg.Connection, figures: Figures) -> None:
    """Tiering's measures and tiers, rewards' points, from the wallet's own rows."""
    spend: dict[str, int] = defaultdict(int)
    recharged: dict[str, int] = defaultdict(int)
    points: dict[str, int] = defaultdict(int)
    for row in await db.fetch("SELECT member_id, sum(amount)::bigint AS amount FROM wallet.recharges "
                              "WHERE member_id LIKE $1 GROUP BY member_id", MEMBERS):
        recharged[row["member_id"]] = row["amount"]
    for row in await db.fetch("""
            SELECT p.member_id, p.total, p.paid_bonus, coalesce(sum(f.amount), 0)::bigint AS refunded
            FROM wallet.purchases p LEFT JOIN wallet.refunds f ON f.purchase_id = p.purchase_id
            WHERE p.member_id LIKE $1 GROUP BY p.purchase_id""", MEMBERS):
        member, total, refunded = row["member_id"], row["total"], row["refunded"]
        spend[member] += total + purchase_refund_spend(refunded, 0, total)
        earned = points_for_amount(purchase_eligible_amount(total, row["paid_bonus"]), 100)
        points[member] += earned - reversal_due(earned, total, refunded, 0)
    rules = TieringSettings().default_rules()
    for row in await db.fetch("""
            SELECT m.member_id, m.tier,
              coalesce(sum(e.amount) FILTER (WHERE e.measure = 'spend_12m'), 0)::bigint AS spend,
              coalesce(sum(e.amount) FILTER (WHERE e.measure = 'lifetime_recharge'), 0)::bigint AS recharge
            FROM tiering.members m LEFT JOIN tiering.spend_entries e USING (member_id)
            WHERE m.member_id LIKE $1 GROUP BY m.member_id, m.tier""", MEMBERS):
        member = row["member_id"]
        expected = (spend[member], recharged[member])
        tier, _ = qualified_tier(rules, standing_of(*expected))
        if (row["spend"], row["recharge"]) != expected or row["tier"] != tier.name:
            figures.tier_mismatches.append(
                f"{member}: tiering {row['tier']} spend/recharge {row['spend']}/{row['recharge']}, "
                f"ledger says {tier.name} {expected[0]}/{expected[1]}")
    balances = {row["member_id"]: row["balance"] for row in await db.fetch(
        "SELECT member_id, balance FROM rewards.points_accounts WHERE member_id LIKE $1", MEMBERS)}
    for member in set(points) | set(balances):
        if balances.get(member, 0) != points.get(member, 0):
            figures.points_mismatches.append(
                f"{member}: rewards {balances.get(member, 0)} points, ledger says {points.get(member, 0)}")
