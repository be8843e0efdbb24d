"""The recharge's stored function (services/wallet/store/sql/wallet_recharge.sql) against
the Python rules it must agree with, on real PostgreSQL: the stored-value limit, decided by
SQL in the one round trip, gives the same verdict as `check_stored_value` on every case of
a table around the boundary; the journal lines it writes are `recharge_lines`'; and
`upgrade_to_head` (re)applies it as a repeatable object."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.recharges import StoredValueLimits, check_stored_value
from services.wallet.service import SPEC as WALLET
from services.wallet.store.recharges import record_recharge
from shared.clock import SystemClock
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


def a_request(member: str, amount: int) -> RechargeRequest:
    reference = uuid.uuid4().hex
    return RechargeRequest(member_id=member, amount=amount, currency="CNY", payment_method="cash",
                           payment_reference=reference, store_id="store_1", terminal_id="pos_1",
                           pos_reference=reference)


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
            topics=Topics(""), reference_key="test-key")
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
