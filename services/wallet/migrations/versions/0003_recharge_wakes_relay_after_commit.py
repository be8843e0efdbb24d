"""wallet: the recharge's outbox row no longer NOTIFYs the relay inside its transaction; the
wallet process wakes the relay after commit, coalescing many recharges into one NOTIFY

Why: PostgreSQL serialises committing transactions that sent a NOTIFY (PreCommit_Notify
takes a database-wide lock and holds it through the commit's WAL flush), so with a NOTIFY
in every recharge, recharges committed one fsync at a time whatever the client count:
pgbench calling `wallet_recharge` directly with 32 clients reached ~0.26x of TPC-B with the
trigger's NOTIFY and ~0.9x without it. Transactions that set `patronage.outbox_notify` to
`by_caller` (only `wallet_recharge` does, store/sql/wallet_recharge.sql) skip the trigger's
NOTIFY; every other outbox write still notifies as before. (This step also re-created the
recharge function to set it; the function is now a repeatable object, applied after every
upgrade, so no migration carries its body.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""
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


def downgrade() -> None:
    op.execute(outbox_notify_trigger_ddl(context.config.attributes["schema"])[0])
