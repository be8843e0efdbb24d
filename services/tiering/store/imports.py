"""Members, past spend and membership terms brought over from the merchant's previous
system (`patronage import`, patronage/importing/), a batch per transaction.

Every row is keyed by its external id in a column that is already unique: a member by its
member id, past spend by its spend entry's source (`imported_purchase`/`imported_recharge`
and the row's id), a term by its purchase id (`import:<id>`). So a file run twice, or run
again after a crash, imports each row once. Each function locks the batch's members first
(store/members.py), as every transaction that emits events about a member does, and returns
each row's outcome: `imported`, `already_imported`, or the code of why it was refused.

The member's own rules then apply as they would to a member enrolled here: `MemberEnrolled`
for each new member (the wallet's registered members and the notifier's contacts follow
from it), the carried-over tier as a `TierChanged` (rules/imports.py), and the upgrade
check on whatever spend is recorded (past spend imported before or after the member).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, text

from services.tiering.rules.imports import carried_over, first_review_after, whole_years
from services.tiering.rules.memberships import first_due
from services.tiering.rules.qualifying import standing_of
from services.tiering.rules.tiers import TierDecision, TierRules, upgrade
from services.tiering.store import qualifying, tables
from services.tiering.store.members import Enrolment, apply_decision, lock_members
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MemberEnrolled, TierChanged, phone_hash
from shared.rule_violations import RuleViolation

IMPORTED, ALREADY = "imported", "already_imported"
NUMBERS_IN_USE = text("SELECT member_number FROM members WHERE member_number = ANY(CAST(:n AS text[]))")
NEXT_NUMBERS = text("SELECT nextval('member_number_seq') FROM generate_series(1, :n)")
RECORD_SPEND = text("""
    INSERT INTO spend_entries (member_id, measure, source_kind, source_id, amount, counted_at)
    SELECT * FROM unnest(CAST(:members AS text[]), CAST(:measures AS text[]),
        CAST(:kinds AS text[]), CAST(:sources AS text[]), CAST(:amounts AS bigint[]),
        CAST(:at AS timestamptz[]))
    ON CONFLICT (source_kind, source_id) DO NOTHING
    RETURNING source_id
""")
RECORD_TERMS = text("""
    INSERT INTO membership_terms (term_id, member_id, term_start, term_end, years, price,
                                  currency, purchase_id, bought_at, next_due_at)
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:members AS text[]),
        CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]), CAST(:years AS int[]),
        CAST(:prices AS bigint[]), CAST(:currencies AS text[]), CAST(:purchases AS text[]),
        CAST(:bought AS timestamptz[]), CAST(:due AS timestamptz[]))
    ON CONFLICT (purchase_id) DO NOTHING
    RETURNING purchase_id
""")
MEASURES = {"purchase": "spend_12m", "recharge": "lifetime_recharge"}


@dataclass(frozen=True)
class ImportedMember:
    enrolment: Enrolment
    tier: str | None = None
    enrolled_at: datetime | None = None


@dataclass(frozen=True)
class PastSpend:
    import_id: str
    member_id: str
    kind: str  # purchase | recharge
    amount: int
    currency: str
    occurred_at: datetime


@dataclass(frozen=True)
class ImportedTerm:
    import_id: str
    member_id: str
    term_start: datetime
    term_end: datetime
    price: int
    currency: str


async def import_members(uow: UnitOfWork, batch: Sequence[ImportedMember], rules: TierRules,
                         currency: str, hash_key: str) -> dict[str, str]:
    db, now = uow.connection, uow.clock.now()
    existing = await lock_members(db, [m.enrolment.member_id for m in batch])
    outcomes = {m.enrolment.member_id: ALREADY for m in batch if m.enrolment.member_id in existing}
    given = [m.enrolment.member_number for m in batch if m.enrolment.member_number]
    taken = set((await db.execute(NUMBERS_IN_USE, {"n": given})).scalars()) if given else set()
    fresh: list[ImportedMember] = []
    for member in batch:
        member_id = member.enrolment.member_id
        if member_id in outcomes:
            continue
        try:
            carried_over(rules, member.tier)
        except RuleViolation as refusal:
            outcomes[member_id] = refusal.code
            continue
        if member.enrolment.member_number in taken:
            outcomes[member_id] = "member_number_taken"
            continue
        fresh.append(member)
    if not fresh:
        return outcomes
    unnumbered = sum(1 for m in fresh if not m.enrolment.member_number)
    numbers = iter((await db.execute(NEXT_NUMBERS, {"n": unnumbered})).scalars().all())
    carried = {m.enrolment.member_id: carried_over(rules, m.tier) for m in fresh}
    rows = []
    for member in fresh:
        joined, decision = member.enrolled_at or now, carried[member.enrolment.member_id]
        number = member.enrolment.member_number or f"M{next(numbers):08d}"
        rows.append({**member.enrolment.__dict__, "member_number": number,
                     "tier": decision.to_tier if decision else rules.lowest.name,
                     "tier_since": now, "enrolled_at": joined,
                     "review_at": first_review_after(joined, now)})
    await db.execute(insert(tables.members), rows)
    for member, row in zip(fresh, rows, strict=True):
        enrolment = member.enrolment
        uow.emit(MemberEnrolled(
            member_id=enrolment.member_id, occurred_at=now, store_id=enrolment.store_id,
            channel=enrolment.channel, referral_code=enrolment.referral_code,
            locale=enrolment.locale, enrolled_at=row["enrolled_at"],
            phone_hash=enrolment.phone and phone_hash(hash_key, enrolment.phone)))
        outcomes[enrolment.member_id] = IMPORTED
    await _record_carried_over(uow, {m: d for m, d in carried.items() if d}, rules, currency)
    tiers = {row["member_id"]: row["tier"] for row in rows}
    await _upgrade_qualified(uow, tiers, rules, currency)
    return outcomes


async def import_spend(uow: UnitOfWork, batch: Sequence[PastSpend], rules: TierRules,
                       currency: str) -> dict[str, str]:
    """Past purchases count towards the rolling 12-month spend on the day they were made
    (so they age out of it like any purchase), past recharges towards lifetime recharge.
    Only the program's currency counts, as for live events."""
    db = uow.connection
    members = await lock_members(db, [s.member_id for s in batch])
    outcomes = {s.import_id: "currency_not_counted" for s in batch if s.currency != currency}
    counted = [s for s in batch if s.import_id not in outcomes]
    recorded = set((await db.execute(RECORD_SPEND, {
        "members": [s.member_id for s in counted], "measures": [MEASURES[s.kind] for s in counted],
        "kinds": [f"imported_{s.kind}" for s in counted], "sources": [s.import_id for s in counted],
        "amounts": [s.amount for s in counted], "at": [s.occurred_at for s in counted]},
    )).scalars()) if counted else set()
    outcomes.update({s.import_id: IMPORTED if s.import_id in recorded else ALREADY for s in counted})
    enrolled = {s.member_id: members[s.member_id].tier for s in counted
                if s.import_id in recorded and s.member_id in members}
    await _upgrade_qualified(uow, enrolled, rules, currency)
    return outcomes


async def import_terms(uow: UnitOfWork, batch: Sequence[ImportedTerm],
                       offsets: tuple[int, ...]) -> dict[str, str]:
    """Each term goes on the membership reminder job's queue like a term bought here
    (`next_due_at` = its first reminder), so T-30/7/1 reminders and the expiry follow; a
    term whose first reminder has already passed gets the nearest one due at the next run."""
    db = uow.connection
    members = await lock_members(db, [t.member_id for t in batch])
    outcomes = {t.import_id: "member_not_found" for t in batch if t.member_id not in members}
    known = [t for t in batch if t.import_id not in outcomes]
    rows = [dict(term_id=uuid.uuid4(), member_id=t.member_id, term_start=t.term_start,
                 term_end=t.term_end, years=whole_years(t.term_start, t.term_end), price=t.price,
                 currency=t.currency, purchase_id=f"import:{t.import_id}", bought_at=t.term_start,
                 next_due_at=first_due(t.term_end, offsets)) for t in known]
    inserted = set((await db.execute(RECORD_TERMS, {
        key: [row[column] for row in rows] for key, column in (
            ("ids", "term_id"), ("members", "member_id"), ("starts", "term_start"),
            ("ends", "term_end"), ("years", "years"), ("prices", "price"),
            ("currencies", "currency"), ("purchases", "purchase_id"), ("bought", "bought_at"),
            ("due", "next_due_at"))})).scalars()) if rows else set()
    outcomes.update({t.import_id: IMPORTED if f"import:{t.import_id}" in inserted else ALREADY
                     for t in known})
    return outcomes


async def _record_carried_over(uow: UnitOfWork, decisions: dict[str, TierDecision],
                               rules: TierRules, currency: str) -> None:
    """What `apply_decision` records of a tier change (history row, `TierChanged`), for the
    carried-over tiers of a whole batch in one statement: the member rows were inserted with
    the tier already, so there is nothing to update."""
    if not decisions:
        return
    now = uow.clock.now()
    await uow.connection.execute(insert(tables.tier_changes), [dict(
        member_id=member_id, from_tier=d.from_tier, to_tier=d.to_tier, direction=d.direction,
        reason=d.reason, qualifying_amount=d.qualifying_amount, rules_version=rules.version,
        effective_at=now) for member_id, d in decisions.items()])
    for member_id, d in decisions.items():
        uow.emit(TierChanged(
            member_id=member_id, occurred_at=now, from_tier=d.from_tier, to_tier=d.to_tier,
            direction=d.direction, reason=d.reason, qualifying_amount=d.qualifying_amount,
            currency=currency, effective_at=now))


@dataclass(frozen=True)
class _Ref:
    """What `apply_decision` reads of a member row: its id."""

    member_id: str


async def _upgrade_qualified(uow: UnitOfWork, tiers: dict[str, str], rules: TierRules,
                             currency: str) -> None:
    """The upgrade check of every given member (member id -> current tier) on the spend
    recorded for them, as a purchase or a recharge would run it."""
    if not tiers:
        return
    now = uow.clock.now()
    sums = await qualifying.unclipped_standings(uow.connection, sorted(tiers), now)
    for member_id in sorted(sums):
        decision = upgrade(rules, tiers[member_id], standing_of(*sums[member_id]))
        if decision is not None:
            await apply_decision(uow, _Ref(member_id), decision, rules, currency, now)
