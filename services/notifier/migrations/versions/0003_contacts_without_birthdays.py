"""the notifier no longer keeps birthdays: greetings come from tiering's MemberBirthday

The column only ever held what MemberEnrolled carried, which tiering stored first
(tiering.members.birthday, the source of that event), so dropping it loses nothing.

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
    op.drop_index("contacts_by_birthday", table_name="contacts")
    op.drop_column("contacts", "birthday")


def downgrade() -> None:
    op.add_column("contacts", sa.Column("birthday", sa.Text()))
    op.create_index("contacts_by_birthday", "contacts", ["birthday"])
