"""tier programs: rewards pays the multipliers tiering publishes (TierProgramPublished), so
its own `tier_multipliers` offer (x1.1/x1.2/x1.5, a second number beside tiering's) is
retired: ended by a new version, as every offer ends, and its kind no longer read

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_programs",
        sa.Column("version", sa.BigInteger(), primary_key=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tiers", JSONB(), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
    )
    # A version that ends the offer at once; the bonus no longer reads the kind at all.
    op.execute("""
        INSERT INTO offers (offer_id, version, kind, name, currency, terms, effective_from,
                            effective_to, created_by, created_at)
        SELECT offer_id, version + 1, kind, name, currency, terms, now(), now(),
               'migration:0004', now()
        FROM (SELECT DISTINCT ON (offer_id) * FROM offers WHERE kind = 'tier_multiplier'
              ORDER BY offer_id, version DESC) AS latest
    """)


def downgrade() -> None:
    op.execute("DELETE FROM offers WHERE created_by = 'migration:0004'")
    op.drop_table("tier_programs")
