"""wallet: the recharge's outbox row no longer NOTIFYs the relay inside its transaction; the
wallet process wakes the relay after commit, coalescing many recharges into one NOTIFY

Why: PostgreSQL serialises committing transactions that sent a NOTIFY (PreCommit_Notify
takes a database-wide lock and holds it through the commit's WAL flush), so with a NOTIFY
in every recharge, recharges committed one fsync at a time whatever the client count:
pgbench calling `wallet_recharge` directly with 32 clients reached ~0.26x of TPC-B with the
trigger's NOTIFY and ~0.9x without it. Transactions that set `patronage.outbox_notify` to
`by_caller` (only `wallet_recharge` does) skip the trigger's NOTIFY; every other outbox
write still notifies as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""
import importlib.util
from pathlib import Path

from alembic import context, op

from shared.db.messaging_tables import notify_channel, outbox_notify_trigger_ddl

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def outbox_notify_unless_by_caller(channel: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('patronage.outbox_notify', true) IS DISTINCT FROM 'by_caller' THEN
        PERFORM pg_notify('{channel}', '');
      END IF;
      RETURN NULL;
    END $$
    """


def upgrade() -> None:
    op.execute(outbox_notify_unless_by_caller(notify_channel(context.config.attributes["schema"])))
    op.execute(RECHARGE_FUNCTION)


def downgrade() -> None:
    op.execute(outbox_notify_trigger_ddl(context.config.attributes["schema"])[0])
    op.execute(_previous_recharge_function().replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))


def _previous_recharge_function() -> str:
    path = Path(__file__).with_name("0002_lots_purchases_refunds.py")
    spec = importlib.util.spec_from_file_location("wallet_migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RECHARGE_FUNCTION


RECHARGE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION wallet_recharge(
  p_scope text, p_key text, p_lock_key bigint, p_hash bytea,
  p_recharge_id uuid, p_lot_id uuid, p_entry_id uuid, p_member_id text, p_currency text,
  p_amount bigint, p_payment_method text, p_payment_reference text, p_store_id text,
  p_terminal_id text, p_channel text, p_pos_reference text, p_now timestamptz,
  p_now_text text, p_max_balance bigint, p_event_id uuid, p_topic text, p_ce_type text,
  p_headers jsonb, p_payload text
) RETURNS TABLE (outcome text, status_code int, body bytea)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  stored record;
  before record;
  after record;
  template text := '"is_first_recharge"\:false,"lifetime_recharged":' || p_amount || ',';
  receipt bytea;
BEGIN
  -- The caller wakes the relay after commit (see outbox_notify below).
  PERFORM set_config('patronage.outbox_notify', 'by_caller', true);
  IF NOT pg_try_advisory_xact_lock(p_lock_key) THEN
    RETURN QUERY SELECT 'in_progress'::text, 409, NULL::bytea; RETURN;
  END IF;
  SELECT i.request_hash, i.status_code, i.response INTO stored
    FROM idempotency_keys i WHERE i.scope = p_scope AND i.key = p_key;
  IF FOUND THEN
    IF stored.request_hash <> p_hash THEN
      RETURN QUERY SELECT 'key_reused'::text, 422, NULL::bytea; RETURN;
    END IF;
    RETURN QUERY SELECT 'replayed'::text, stored.status_code, stored.response; RETURN;
  END IF;

  INSERT INTO wallets AS w (member_id, currency) VALUES (p_member_id, p_currency)
    ON CONFLICT (member_id, currency) DO UPDATE SET updated_at = w.updated_at
    RETURNING w.principal, w.bonus, w.recharge_count INTO before;
  IF before.principal + before.bonus + p_amount > p_max_balance THEN
    RAISE EXCEPTION 'balance_limit_exceeded' USING ERRCODE = 'P0001';
  END IF;
  UPDATE wallets AS w SET principal = w.principal + p_amount,
      lifetime_recharged = w.lifetime_recharged + p_amount,
      recharge_count = w.recharge_count + 1, updated_at = p_now
    WHERE w.member_id = p_member_id AND w.currency = p_currency
    RETURNING w.principal, w.bonus, w.lifetime_recharged INTO after;

  INSERT INTO recharges (recharge_id, member_id, currency, amount, payment_method,
      payment_reference, store_id, terminal_id, channel, pos_reference, created_at)
    VALUES (p_recharge_id, p_member_id, p_currency, p_amount, p_payment_method,
      p_payment_reference, p_store_id, p_terminal_id, p_channel, p_pos_reference, p_now);
  INSERT INTO lots (lot_id, member_id, currency, kind, source_kind, source_id, recharge_id,
      amount, remaining, created_at)
    VALUES (p_lot_id, p_member_id, p_currency, 'principal', 'recharge', p_recharge_id::text,
      p_recharge_id, p_amount, p_amount, p_now);
  INSERT INTO journal_entries (entry_id, member_id, kind, source_id, reason, occurred_at)
    VALUES (p_entry_id, p_member_id, 'recharge', p_recharge_id::text, 'recharge', p_now);
  INSERT INTO journal_lines (entry_id, line_no, account, member_id, currency, amount)
    VALUES (p_entry_id, 1, 'merchant_clearing', NULL, p_currency, p_amount),
           (p_entry_id, 2, 'member_principal', p_member_id, p_currency, -p_amount);

  IF position(template IN p_payload) = 0 THEN
    RAISE EXCEPTION 'recharge payload template not found' USING ERRCODE = 'P0004';
  END IF;
  INSERT INTO outbox (event_id, topic, key, ce_type, headers, payload)
    VALUES (p_event_id, p_topic, p_member_id, p_ce_type, p_headers, convert_to(replace(p_payload,
      template, '"is_first_recharge":' || (before.recharge_count = 0)::text
        || ',"lifetime_recharged":' || after.lifetime_recharged || ','), 'UTF8'));

  receipt := convert_to(jsonb_build_object(
      'recharge_id', p_recharge_id, 'member_id', p_member_id, 'amount', p_amount,
      'currency', p_currency, 'principal_balance', after.principal,
      'bonus_balance', after.bonus, 'balance', after.principal + after.bonus,
      'bonus', jsonb_build_object('status', 'pending'), 'created_at', p_now_text)::text, 'UTF8');
  INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    VALUES (p_scope, p_key, p_hash, 201, receipt);
  RETURN QUERY SELECT 'created'::text, 201, receipt;
END $$
"""
