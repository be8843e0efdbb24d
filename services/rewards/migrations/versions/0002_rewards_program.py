"""rewards program: recharge history, offers and campaigns, bonus decisions and reviews,
points ledger, coupons; the default program

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    for column in ("store_id", "terminal_id", "payment_reference"):
        op.add_column("recharges_seen", sa.Column(column, sa.Text(), nullable=True))
    op.add_column("recharges_seen", sa.Column("lifetime_recharged", sa.BigInteger(), nullable=True))
    op.create_index("recharges_seen_member_time", "recharges_seen", ["member_id", "occurred_at"])
    op.create_index("recharges_seen_terminal_time", "recharges_seen", ["terminal_id", "occurred_at"])
    op.create_index("recharges_seen_reference_time", "recharges_seen",
                    ["payment_reference", "occurred_at"])
    op.create_table(
        "refunds_seen",
        sa.Column("refund_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("bonus_clawed_back", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        _at("occurred_at"),
    )
    op.create_index("refunds_seen_member_time", "refunds_seen", ["member_id", "occurred_at"])
    op.create_index("refunds_seen_source", "refunds_seen", ["source_id"])
    op.create_table(
        "member_birthdays",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("birthday", sa.Text(), nullable=False),
    )
    op.create_index("ix_member_birthdays_birthday", "member_birthdays", ["birthday"])
    op.create_table(
        "member_tiers",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("tier", sa.Text(), nullable=False),
        _at("effective_at"),
    )
    op.create_table(
        "offers",
        sa.Column("offer_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("terms", JSONB(), nullable=False),
        _at("effective_from"), _at("effective_to", nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("offer_id", "version"),
    )
    op.create_table(
        "campaign_budgets",
        sa.Column("offer_id", sa.Text(), primary_key=True),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("spent >= 0 AND spent <= budget", name="spent_within_budget"),
    )
    op.create_table(
        "bonus_decisions",
        sa.Column("recharge_id", sa.Text(), primary_key=True),
        sa.Column("grant_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("recharge_amount", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("rules", JSONB(), nullable=False),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        _at("decided_at"),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        _at("reviewed_at", nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("grant_id"),
    )
    op.create_index("bonus_decisions_status_time", "bonus_decisions",
                    ["status", "decided_at", "recharge_id"])
    op.create_table(
        "campaign_charges",
        sa.Column("recharge_id", sa.Text(), nullable=False),
        sa.Column("offer_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("recharge_amount", sa.BigInteger(), nullable=False),
        _at("charged_at"),
        sa.PrimaryKeyConstraint("recharge_id", "offer_id"),
    )
    op.create_table(
        "review_actions",
        sa.Column("action_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("grant_id", sa.UUID(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _at("acted_at"),
    )
    op.create_index("ix_review_actions_grant_id", "review_actions", ["grant_id"])
    op.create_table(
        "points_accounts",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("balance", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("balance >= 0", name="points_not_negative"),
    )
    op.create_table(
        "points_entries",
        sa.Column("entry_id", sa.UUID(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("source_total", sa.BigInteger(), nullable=True),
        sa.Column("remaining", sa.BigInteger(), nullable=True),
        _at("expires_at", nullable=True),
        _at("occurred_at"),
    )
    op.create_index("points_entries_member_time", "points_entries", ["member_id", "occurred_at"])
    op.create_index("points_entries_source", "points_entries", ["source_id"])
    op.create_index("points_entries_open_lots", "points_entries", ["expires_at"],
                    postgresql_where=sa.text("remaining > 0"))
    op.create_table(
        "coupon_templates",
        sa.Column("template_id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("min_spend", sa.BigInteger(), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("points_cost", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "coupons",
        sa.Column("coupon_id", sa.UUID(), primary_key=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("template_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("min_spend", sa.BigInteger(), nullable=True),
        _at("valid_from"), _at("valid_until"),
        sa.Column("reason", sa.Text(), nullable=False),
        _at("issued_at"), _at("redeemed_at", nullable=True),
        sa.Column("purchase_id", sa.Text(), nullable=True),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_coupons_member_id", "coupons", ["member_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    _seed_default_program()


def _seed_default_program() -> None:
    """What `patronage dev` shows before ops configure anything: 100 -> 10, 500 -> 80,
    1000 -> 200 yuan; +5 % on a first recharge; +5 % once 3,000 yuan were recharged; tier
    multipliers; a coupon template members can buy with points and a renewal coupon."""
    offers = sa.table("offers", sa.column("terms", JSONB), *(sa.column(c) for c in (
        "offer_id", "version", "kind", "name", "currency", "effective_from", "created_by",
        "created_at")))
    start = sa.text("'2020-01-01T00:00:00Z'::timestamptz")
    rows = [
        ("ladder_cny", "ladder", "Recharge ladder", "CNY",
         {"rungs": [[10_000, 1_000], [50_000, 8_000], [100_000, 20_000]]}),
        ("first_recharge", "first_recharge", "First recharge +5%", None, {"bps": 500}),
        ("cumulative_cny", "cumulative", "Loyal member rebate +5%", "CNY",
         {"threshold": 300_000, "bps": 500}),
        ("tier_multipliers", "tier_multiplier", "Tier multiplier", None,
         {"bps_by_tier": {"silver": 11_000, "gold": 12_000, "diamond": 15_000}}),
    ]
    for offer_id, kind, name, currency, terms in rows:
        op.execute(offers.insert().values(
            offer_id=offer_id, version=1, kind=kind, name=name, currency=currency, terms=terms,
            effective_from=start, created_by="migration:0002", created_at=sa.func.now()))
    op.execute(
        "INSERT INTO coupon_templates (template_id, name, kind, value, currency, min_spend, "
        "valid_days, points_cost, created_by, created_at) VALUES "
        "('save10_over100', 'Save 10 on 100', 'threshold', 1000, 'CNY', 10000, 30, 500, "
        "'migration:0002', now()), "
        "('renewal_save20', 'Renewal: 20 off', 'no_threshold', 2000, 'CNY', NULL, 30, NULL, "
        "'migration:0002', now()), "
        "('birthday_gift', 'Birthday: 10 off', 'no_threshold', 1000, 'CNY', NULL, 30, NULL, "
        "'migration:0002', now())")


def downgrade() -> None:
    for table in ("idempotency_keys", "coupons", "coupon_templates", "points_entries", "points_accounts",
                  "review_actions", "campaign_charges", "bonus_decisions", "campaign_budgets",
                  "offers", "member_tiers", "member_birthdays", "refunds_seen"):
        op.drop_table(table)
    for index in ("recharges_seen_reference_time", "recharges_seen_terminal_time",
                  "recharges_seen_member_time"):
        op.drop_index(index, table_name="recharges_seen")
    for column in ("lifetime_recharged", "payment_reference", "terminal_id", "store_id"):
        op.drop_column("recharges_seen", column)
