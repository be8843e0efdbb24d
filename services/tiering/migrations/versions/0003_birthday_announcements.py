"""tiering announces birthdays (MemberBirthday) instead of publishing them in
MemberEnrolled: the year each member was last announced, and an index to find the day's
members

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("members", sa.Column("birthday_celebrated_in", sa.Integer()))
    op.create_index("members_by_birthday", "members", ["birthday"],
                    postgresql_where=sa.text("birthday IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("members_by_birthday", table_name="members")
    op.drop_column("members", "birthday_celebrated_in")
