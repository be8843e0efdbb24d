"""Rewards' personal data and what an erasure does to it (store/erasure.py does it)."""

from __future__ import annotations

from shared.personal_data import EXPORT_PARTS, Lookalike, PersonalColumn

PERSONAL_DATA = (
    EXPORT_PARTS,
    PersonalColumn("bonus_decisions", "review_note", "free-text note", "deleted",
                   "set to null for the member's decisions: a reviewer may have written "
                   "anything about the member"),
    PersonalColumn("cashback_grants", "review_note", "free-text note", "deleted",
                   "set to null for the member's cash-back grants, as review_note above"),
    PersonalColumn("review_actions", "note", "free-text note", "pseudonymised",
                   "replaced by `[erased]` on the member's reviews (the column is required; "
                   "the decision and its actor stay as the review's audit)"),
    PersonalColumn("member_facts", "birthday_celebrated_month", "birthday (month)", "deleted",
                   "set to null: the month a birthday was celebrated is the birth month"),
    PersonalColumn("recharges_seen", "payment_reference", "payment token", "kept",
                   "already a keyed token (`tok_...`), not the reference; the fraud screen "
                   "compares it across members"),
    # the KPI projection (store/kpi_tables.py): per-member rows go, the figures of past
    # periods then count the other members only; stored scheduled reports hold no member
    PersonalColumn("kpi_member_days", "member_id", "activity by day", "deleted",
                   "the member's KPI days (purchases, recharges, bonus, messages) are deleted"),
    PersonalColumn("kpi_members", "member_id", "enrolment day and store", "deleted",
                   "the member's enrolment row (day, store, referred or not) is deleted"),
    PersonalColumn("kpi_terms", "member_id", "membership terms", "deleted",
                   "the member's terms as the KPIs count them are deleted"),
)

LOOKALIKES = (
    Lookalike("coupon_templates", "name", "the name of a coupon template, set by the merchant"),
    Lookalike("offers", "name", "the name of an offer, set by the merchant"),
    Lookalike("segments", "name", "the name of a segment, set by the merchant"),
    Lookalike("scheduled_reports", "body", "a program report's figures (counts, amounts, "
              "rates over all members); it names no member"),
    Lookalike("experiments", "name", "the name of an experiment, set by the merchant"),
    Lookalike("experiments", "subject_kind", "what an experiment tests (`campaign`), not a "
              "data subject"),
    Lookalike("experiments", "subject_id", "the offer id an experiment tests, not a person"),
)
