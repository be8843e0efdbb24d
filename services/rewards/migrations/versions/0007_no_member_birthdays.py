"""rewards no longer keeps birthdays: the birthday coupon is issued on tiering's
MemberBirthday

member_birthdays only ever held what MemberEnrolled carried, which tiering stored first
(tiering.members.birthday, the source of that event), so dropping it loses nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("member_birthdays")


def downgrade() -> None:
    op.create_table(
        "member_birthdays",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("birthday", sa.Text(), nullable=False),
    )
    op.create_index("ix_member_birthdays_birthday", "member_birthdays", ["birthday"])
