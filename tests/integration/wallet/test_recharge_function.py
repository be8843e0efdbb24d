"""The recharge's stored function (services/wallet/store/sql/wallet_recharge.sql) against
the Python rules it must agree with, on real PostgreSQL: the stored-value limit, decided by
SQL in the one round trip, gives the same verdict as `check_stored_value` on every case of
a table around the boundary; the short-window risk rules, summed by SQL in the same trip,
fire exactly where `rules/risk.py:findings` says, with their actions (held lot, frozen
wallet); the journal lines it writes are `recharge_lines`'; and `upgrade_to_head` (re)applies
it as a repeatable object."""

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
from services.wallet.rules.recharges import StoredValueLimits, check_stored_value
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

# (principal before, bonus before, amount, max_balance): both sides of the boundary,
# bonus counted as stored value, a one-unit maximum and amounts far above the default.
CASES = [
    (0, 0, 500_000, 500_000), (0, 0, 500_001, 500_000),
    (499_999, 0, 1, 500_000), (499_999, 0, 2, 500_000), (500_000, 0, 1, 500_000),
    (400_000, 99_999, 1, 500_000), (400_000, 100_000, 1, 500_000), (0, 500_000, 1, 500_000),
    (0, 0, 1, 1), (0, 0, 2, 1),
    (10**12, 10**12, 10**6, 2 * 10**12 + 10**6), (10**12, 10**12, 10**6 + 1, 2 * 10**12 + 10**6),
]
CREATED, REFUSED = "created", "balance_limit_exceeded"


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


def python_verdict(stored_before: int, amount: int, limits: StoredValueLimits) -> str:
    try:
        check_stored_value(Money(amount, "CNY"), stored_before, limits)
    except RuleViolation as refused:
        return refused.code
    return CREATED


async def sql_verdict(statements: StatementPool, member: str, amount: int,
                      limits: StoredValueLimits) -> str:
    try:
        outcome = await record_recharge(
            statements, scope="test", key=uuid.uuid4().hex, fingerprint=b"x",
            request=a_request(member, amount), limits=limits, clock=SystemClock(),
            topics=Topics(""))
    except RuleViolation as refused:
        return refused.code
    return outcome.outcome


async def test_the_sql_limit_agrees_with_the_python_rule_on_every_case(statements, db):
    verdicts = []
    for number, (principal, bonus, amount, max_balance) in enumerate(CASES):
        member = f"m_limit_{number}"
        await db.execute("INSERT INTO wallet.wallets (member_id, currency, principal, bonus) "
                         "VALUES ($1, 'CNY', $2, $3)", member, principal, bonus)
        # only the balance limit decides: the per-recharge maximum is out of the way
        limits = StoredValueLimits(frozenset({"CNY"}), max_recharge=10**15, max_balance=max_balance)
        sql = await sql_verdict(statements, member, amount, limits)
        verdicts.append((sql, python_verdict(principal + bonus, amount, limits)))
        after = await db.fetchval("SELECT principal FROM wallet.wallets WHERE member_id = $1", member)
        assert after == principal + (amount if sql == CREATED else 0)

    assert [sql for sql, _ in verdicts] == [python for _, python in verdicts]
    # the table really straddles the boundary: both verdicts occur
    assert {sql for sql, _ in verdicts} == {CREATED, REFUSED}


async def test_the_journal_lines_written_are_the_python_rules(statements, db):
    limits = StoredValueLimits(frozenset({"CNY"}), 10**6, 10**6)
    assert await sql_verdict(statements, "m_lines", 12_345, limits) == CREATED

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
                clock=clock, topics=Topics(""), risk=RISK)
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
