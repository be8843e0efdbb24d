"""tiering: an index on the digits of members' phone numbers, for the ops lookup by phone

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the same expression as store/members.py PHONE_DIGITS, or the planner cannot use it
    op.execute("CREATE INDEX members_by_phone ON members "
               "(regexp_replace(phone, '[^0-9]', '', 'g')) WHERE phone IS NOT NULL")


def downgrade() -> None:
    op.drop_index("members_by_phone", table_name="members")
