"""data exports (requests, progress, downloads, tiering's own parts), member corrections and
idempotency keys (docs/privacy.md)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.data_export_parts import create_data_export_parts_table
from shared.http.idempotency import define_idempotency_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _at(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    create_data_export_parts_table(op)
    define_idempotency_table(sa.MetaData()).create(op.get_bind())
    op.create_table(
        "data_exports",
        sa.Column("export_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        _at("requested_at"), _at("expires_at"))
    op.create_index("data_exports_by_member", "data_exports", ["member_id", "requested_at"])
    op.create_table(
        "data_export_progress",
        sa.Column("export_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("service", sa.Text, primary_key=True),
        sa.Column("records", sa.Integer, nullable=False), _at("ready_at"))
    op.create_table(
        "data_export_downloads",
        sa.Column("download_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("export_id", UUID(as_uuid=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False), _at("downloaded_at"))
    op.create_index("data_export_downloads_by_export", "data_export_downloads",
                    ["export_id", "download_id"])
    op.create_table(
        "member_corrections",
        sa.Column("correction_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False), _at("changed_at"),
        sa.Column("changes", JSONB, nullable=False))
    op.create_index("member_corrections_by_member", "member_corrections",
                    ["member_id", "correction_id"])


def downgrade() -> None:
    for name in ("member_corrections", "data_export_downloads", "data_export_progress",
                 "data_exports", "idempotency_keys", "data_export_parts"):
        op.drop_table(name)
