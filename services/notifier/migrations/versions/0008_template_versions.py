"""notifier: ops' wordings of the message templates, as immutable versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_versions",
        sa.Column("version_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("locale", sa.Text(), nullable=False),
        sa.Column("wording", sa.Text()),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("template_versions_history", "template_versions",
                    ["kind", "locale", "version_id"])


def downgrade() -> None:
    op.drop_table("template_versions")
