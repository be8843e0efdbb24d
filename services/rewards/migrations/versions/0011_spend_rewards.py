"""spend rewards: cash-back grants, spend-and-save progress, first-N claims, bulk coupon
issue jobs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=kw.pop("nullable", False), **kw)


def _big(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=kw.pop("nullable", False), **kw)


def upgrade() -> None:
    op.create_table(
        "cashback_grants",
        sa.Column("grant_id", UUID(as_uuid=True), primary_key=True),
        _text("offer_id"), _text("kind"), _text("member_id"), _text("purchase_id"),
        _text("currency"), _big("amount"), _at("granted_at"),
        _big("purchase_amount"), _text("terminal_id", nullable=True), _text("status"),
        sa.Column("reasons", JSONB, nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        _text("reviewed_by", nullable=True), _at("reviewed_at", nullable=True),
        _text("review_note", nullable=True))
    op.create_index("cashback_grants_by_offer", "cashback_grants", ["offer_id"])
    op.create_index("cashback_grants_status_time", "cashback_grants", ["status", "granted_at"])
    op.create_index("cashback_grants_member_time", "cashback_grants", ["member_id", "granted_at"])
    op.create_index("cashback_grants_terminal_time", "cashback_grants",
                    ["terminal_id", "granted_at"])
    op.create_table(
        "spend_progress",
        _text("offer_id", primary_key=True), _text("member_id", primary_key=True), _big("spent"))
    op.create_table(
        "spend_counted",
        _text("offer_id", primary_key=True), _text("purchase_id", primary_key=True),
        _text("member_id"), _big("counted"), _big("purchase_total"),
        _big("refunded", server_default=sa.text("0")))
    op.create_index("spend_counted_by_purchase", "spend_counted", ["purchase_id"])
    op.create_table(
        "spend_thresholds_paid",
        _text("offer_id", primary_key=True), _text("member_id", primary_key=True),
        _big("threshold", primary_key=True),
        sa.Column("grant_id", UUID(as_uuid=True), nullable=False), _at("paid_at"))
    op.create_table(
        "first_n_counters",
        _text("offer_id", primary_key=True), _big("n"),
        _big("taken", server_default=sa.text("0")),
        sa.CheckConstraint("taken >= 0 AND taken <= n", name="first_n_never_exceeded"))
    op.create_table(
        "first_n_claims",
        _text("offer_id", primary_key=True), _text("member_id", primary_key=True),
        _big("slot"), _text("purchase_id"), _at("claimed_at"),
        sa.UniqueConstraint("offer_id", "slot", name="one_member_per_slot"))
    op.create_table(
        "coupon_issue_jobs",
        sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
        _text("template_id"), _text("source"), _big("total"),
        _big("issued", server_default=sa.text("0")), _text("status"),
        _text("cursor", nullable=True), _text("created_by"), _at("created_at"),
        _at("finished_at", nullable=True))
    op.create_table(
        "coupon_issue_members",
        sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
        _text("member_id", primary_key=True),
        sa.Column("coupon_id", UUID(as_uuid=True), nullable=True))


def downgrade() -> None:
    for table in ("coupon_issue_members", "coupon_issue_jobs", "first_n_claims",
                  "first_n_counters", "spend_thresholds_paid", "spend_counted",
                  "spend_progress", "cashback_grants"):
        op.drop_table(table)
