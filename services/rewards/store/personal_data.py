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
)

LOOKALIKES = (
    Lookalike("coupon_templates", "name", "the name of a coupon template, set by the merchant"),
    Lookalike("offers", "name", "the name of an offer, set by the merchant"),
    Lookalike("segments", "name", "the name of a segment, set by the merchant"),
    Lookalike("experiments", "name", "the name of an experiment, set by the merchant"),
    Lookalike("experiments", "subject_kind", "what an experiment tests (`campaign`), not a "
              "data subject"),
    Lookalike("experiments", "subject_id", "the offer id an experiment tests, not a person"),
)
