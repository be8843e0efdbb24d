"""The recharge's stored function (services/wallet/store/sql/wallet_recharge.sql) against
the Python rules it must agree with, on real PostgreSQL: the caps by card kind (registered
member or unregistered card), decided by SQL in the one round trip, give the same verdict
and name the same kind as `check_caps` on every case of a table around the boundaries; the
short-window risk rules, summed by SQL in the same trip, fire exactly where
`rules/risk.py:findings` says, with their actions (held lot, frozen wallet); the journal
lines it writes are `recharge_lines`'; and `upgrade_to_head` (re)applies it as a repeatable
object."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import orjson
import pytest

from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.recharges import StoredValueLimits, check_caps
from services.wallet.rules.risk import HOLDS_PRINCIPAL, RiskRule, findings
from services.wallet.service import SPEC as WALLET
from services.wallet.store.recharges import record_recharge
from shared.clock import FrozenClock, SystemClock
from shared.db.engine import plain_url
from shared.db.migrations import upgrade_to_head
from shared.db.statement_pool import StatementPool
from shared.money import Money
from shared.rule_violations import RuleViolation
from shared.topics import Topics

pytestmark = pytest.mark.integration

# (principal before, bonus before, amount, kind, (max_recharge, max_balance) of that kind):
# both sides of each boundary, for both kinds, bonus counted as stored value, a one-unit
# maximum and amounts far above the default. The other kind's caps are always different
# (`limits_for`), so a function that picked the wrong kind would give another verdict.
REGISTERED, CARD = "registered", "card"
CASES = [
    (0, 0, 500_000, REGISTERED, (500_000, 500_000)), (0, 0, 500_001, REGISTERED, (500_000, 500_000)),
    (499_999, 0, 1, REGISTERED, (500_000, 500_000)), (499_999, 0, 2, REGISTERED, (500_000, 500_000)),
    (500_000, 0, 1, REGISTERED, (500_000, 500_000)), (400_000, 99_999, 1, REGISTERED, (500_000, 500_000)),
    (400_000, 100_000, 1, REGISTERED, (500_000, 500_000)), (0, 500_000, 1, REGISTERED, (500_000, 500_000)),
    (0, 0, 1, REGISTERED, (10, 1)), (0, 0, 2, REGISTERED, (10, 1)),
    (10**12, 10**12, 10**6, REGISTERED, (10**15, 2 * 10**12 + 10**6)),
    (10**12, 10**12, 10**6 + 1, REGISTERED, (10**15, 2 * 10**12 + 10**6)),
    (0, 0, 100_000, CARD, (100_000, 100_000)), (0, 0, 100_001, CARD, (100_000, 100_000)),
    (99_999, 0, 1, CARD, (100_000, 100_000)), (99_999, 0, 2, CARD, (100_000, 100_000)),
    (60_000, 39_999, 1, CARD, (100_000, 100_000)), (60_000, 40_000, 1, CARD, (100_000, 100_000)),
    (0, 100_000, 1, CARD, (100_000, 100_000)), (0, 0, 30_001, CARD, (30_000, 100_000)),
    (0, 0, 1, CARD, (10, 1)), (0, 0, 2, CARD, (10, 1)),
]
CREATED = "created"
REFUSALS = {"balance_limit_exceeded", "recharge_above_limit"}


def limits_for(kind: str, caps: tuple[int, int]) -> StoredValueLimits:
    """`caps` for `kind`; the other kind's caps twice as high plus one."""
    other = (2 * caps[0] + 1, 2 * caps[1] + 1)
    registered, card = (caps, other) if kind == REGISTERED else (other, caps)
    return StoredValueLimits(frozenset({"CNY"}), *registered, *card)


@pytest.fixture
async def statements(database_url: str) -> AsyncIterator[StatementPool]:
    pool = StatementPool(database_url, "wallet", size=1)
    await pool.open()
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        yield connection
    finally:
        await connection.close()


def a_request(member: str, amount: int, reference: str | None = None,
              terminal: str = "pos_1") -> RechargeRequest:
    pos_reference = uuid.uuid4().hex
    return RechargeRequest(member_id=member, amount=amount, currency="CNY", payment_method="cash",
                           payment_reference=reference or pos_reference, store_id="store_1",
                           terminal_id=terminal, pos_reference=pos_reference)


def python_verdict(stored_before: int, amount: int, kind, limits: StoredValueLimits
                   ) -> tuple[str, str]:
    try:
        check_caps(Money(amount, "CNY"), kind, stored_before, limits)
    except RuleViolation as refused:
        return refused.code, refused.detail
    return CREATED, ""


async def sql_verdict(statements: StatementPool, member: str, amount: int,
                      limits: StoredValueLimits) -> tuple[str, str]:
    try:
        outcome = await record_recharge(
            statements, scope="test", key=uuid.uuid4().hex, fingerprint=b"x",
            request=a_request(member, amount), limits=limits, clock=SystemClock(),
            topics=Topics(""), reference_key="test-key")
    except RuleViolation as refused:
        return refused.code, refused.detail
    return outcome.outcome, ""


async def test_the_sql_caps_agree_with_the_python_rule_on_every_case_of_both_kinds(statements, db):
    verdicts = []
    for number, (principal, bonus, amount, kind, caps) in enumerate(CASES):
        member = f"m_limit_{number}"
        await db.execute("INSERT INTO wallet.wallets (member_id, currency, principal, bonus) "
                         "VALUES ($1, 'CNY', $2, $3)", member, principal, bonus)
        if kind == REGISTERED:  # what the MemberEnrolled handler writes
            await db.execute("INSERT INTO wallet.registered_members (member_id, enrolled_at) "
                             "VALUES ($1, now())", member)
        limits = limits_for(kind, caps)
        sql = await sql_verdict(statements, member, amount, limits)
        verdicts.append((kind, sql, python_verdict(principal + bonus, amount, kind, limits)))
        after = await db.fetchval("SELECT principal FROM wallet.wallets WHERE member_id = $1", member)
        assert after == principal + (amount if sql[0] == CREATED else 0)

    # same code and same detail (which names the kind whose cap applied) on every case
    assert [sql for _, sql, _ in verdicts] == [python for _, _, python in verdicts]
    # the table really straddles the boundaries: every verdict occurs for each kind
    for kind in (REGISTERED, CARD):
        assert {sql[0] for k, sql, _ in verdicts if k == kind} == {CREATED, *REFUSALS}


async def test_the_journal_lines_written_are_the_python_rules(statements, db):
    limits = StoredValueLimits(frozenset({"CNY"}), 10**6, 10**6)
    assert await sql_verdict(statements, "m_lines", 12_345, limits) == (CREATED, "")

    rows = await db.fetch("SELECT l.line_no, l.account, l.member_id, l.amount "
                          "FROM wallet.journal_lines l JOIN wallet.journal_entries e USING (entry_id) "
                          "WHERE e.member_id = 'm_lines' ORDER BY l.line_no")
    expected = recharge_lines("m_lines", 12_345)
    assert [(r["account"], r["member_id"], r["amount"]) for r in rows] == [
        (line.account, line.member_id, line.amount) for line in expected]
    assert [r["line_no"] for r in rows] == list(range(1, len(expected) + 1))


async def test_upgrade_to_head_reapplies_the_function_on_a_migrated_database(database_url, db):
    await db.execute("DROP FUNCTION wallet.wallet_recharge")
    await asyncio.to_thread(upgrade_to_head, WALLET.migrations, database_url, WALLET.name)
    await asyncio.to_thread(upgrade_to_head, WALLET.migrations, database_url, WALLET.name)

    [function] = await db.fetch(
        "SELECT p.proconfig, pg_get_function_identity_arguments(p.oid) AS arguments "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'wallet' AND p.proname = 'wallet_recharge'")
    assert function["proconfig"] == ["search_path=wallet"]
    assert "p_lines jsonb" in function["arguments"]
    assert "p_limits jsonb" in function["arguments"]


async def test_caps_missing_for_the_kind_refuse_rather_than_lift_the_cap(db):
    """A p_limits without the kind's caps is an error, never an unlimited recharge."""
    with pytest.raises(asyncpg.RaiseError, match="no caps for card"):
        await db.fetchrow(
            "SELECT * FROM wallet.wallet_recharge('test', 'k-nocaps', 42, '\\x00', "
            "gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'm_nocaps', 'CNY', 100, "
            "'cash', 'c-1', 'store_1', 'pos_1', 'pos', 'p-1', now(), 'now', "
            "'{\"registered\": {\"max_recharge\": 1, \"max_balance\": 1}}'::jsonb, "
            "'[]'::jsonb, gen_random_uuid(), 't', 'ce', '{}'::jsonb, '{}'::jsonb, "
            "'[]'::jsonb, NULL, NULL, NULL, NULL)")
    assert await db.fetchval(
        "SELECT count(*) FROM wallet.recharges WHERE member_id = 'm_nocaps'") == 0


# One rule per scope and action, thresholds and windows apart, so each fires on its own.
RISK = (
    RiskRule("member_hour", "member", 60, 10_000, "hold_bonus"),
    RiskRule("card_half_hour", "payment_reference", 30, 20_000, "hold_recharge"),
    RiskRule("till_ten_minutes", "terminal", 10, 30_000, "freeze"),
)
WINDOW_OF = {"member": "member", "payment_reference": "reference", "terminal": "terminal"}
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# (member, payment reference, terminal, amount, minutes after START), in time order:
# exactly at a threshold and one unit above, a prior recharge exactly one window earlier
# (outside it) and one minute inside, two members on one card, two cards on one terminal,
# and a member recharging again after a freeze rule froze them.
SEQUENCE = [
    ("a", "card1", "t1", 6_000, 0), ("a", "card2", "t1", 4_000, 1),       # member at 10,000
    ("a", "card2", "t2", 1, 2),                                            # 10,001: fires
    ("b", "card3", "t3", 9_000, 0), ("b", "card3", "t3", 9_000, 60),       # one hour apart
    ("b", "card3", "t3", 2_000, 61),                                       # 11,000 in the hour
    ("c", "card4", "t4", 9_999, 10), ("d", "card4", "t4", 9_999, 20),
    ("c", "card4", "t5", 3, 39),                                           # card 20,001 in 30 min
    ("e", "card5", "t6", 9_000, 40), ("f", "card6", "t6", 9_000, 41),
    ("g", "card7", "t6", 9_000, 42), ("h", "card8", "t6", 3_001, 43),      # till 30,001: freeze
    ("h", "card9", "t7", 100, 44),                                         # frozen: refused
    ("e", "card5", "t6", 100, 51),                                         # t6 window moved on
]


def expected_outcomes() -> list[tuple[str, tuple[str, ...], bool]]:
    """What the Python rule says of each recharge: (outcome, rules fired, principal held)."""
    done: list[tuple[str, str, str, int, datetime]] = []
    frozen: set[str] = set()
    outcomes = []
    for member, reference, terminal, amount, minutes in SEQUENCE:
        at = START + timedelta(minutes=minutes)
        if member in frozen:
            outcomes.append(("wallet_frozen", (), False))
            continue
        key = {"member": member, "reference": reference, "terminal": terminal}
        recent = {rule.name: sum(
            a for m, r, t, a, when in done
            if {"member": m, "reference": r, "terminal": t}[WINDOW_OF[rule.scope]]
            == key[WINDOW_OF[rule.scope]] and when > at - timedelta(minutes=rule.window_minutes))
            for rule in RISK}
        fired = findings(RISK, amount, recent)
        if any(f.action == "freeze" for f in fired):
            frozen.add(member)
        done.append((member, reference, terminal, amount, at))
        outcomes.append(("created", tuple(f.rule for f in fired),
                         any(f.action in HOLDS_PRINCIPAL for f in fired)))
    return outcomes


async def test_the_sql_risk_rules_agree_with_the_python_rule_on_every_case(statements, db):
    limits = StoredValueLimits(frozenset({"CNY"}), 10**9, 10**9)
    clock = FrozenClock(START)
    seen = []
    for member, reference, terminal, amount, minutes in SEQUENCE:
        clock.set(START + timedelta(minutes=minutes))
        try:
            outcome = await record_recharge(
                statements, scope="test", key=uuid.uuid4().hex, fingerprint=b"x",
                request=a_request(member, amount, reference, terminal), limits=limits,
                clock=clock, topics=Topics(""), risk=RISK, reference_key="test-key")
        except RuleViolation as refused:
            seen.append((refused.code, (), False))
            continue
        row = await db.fetchrow(
            "SELECT r.risk_reasons, r.principal_held, l.held FROM wallet.recharges r "
            "JOIN wallet.lots l USING (recharge_id) WHERE r.recharge_id = $1",
            orjson.loads(outcome.body)["recharge_id"])
        fired = tuple(f["rule"] for f in orjson.loads(row["risk_reasons"]))
        assert row["principal_held"] == row["held"]
        seen.append((outcome.outcome, fired, row["principal_held"]))

    assert seen == expected_outcomes()
    # the sequence exercises every rule, and the freeze refuses the member's next recharge
    assert {rule for _, fired, _ in seen for rule in fired} == {rule.name for rule in RISK}
    assert ("wallet_frozen", (), False) in seen
    frozen = await db.fetch("SELECT member_id, actor FROM wallet.frozen_wallets")
    assert [(r["member_id"], r["actor"]) for r in frozen] == [("h", "rule:till_ten_minutes")]
    # held principal is outside the spendable balance, inside the ledger and the lots
    balances = await db.fetch("SELECT member_id, principal, held_principal FROM wallet.wallets "
                              "ORDER BY member_id")
    held = {r["member_id"]: r["held_principal"] for r in balances}
    assert held["c"] == 3 and held["h"] == 3_001 and held["a"] == 0
