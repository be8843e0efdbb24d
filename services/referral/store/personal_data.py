"""Referral's personal data and what an erasure does to it (store/erasure.py does it)."""

from __future__ import annotations

from shared.personal_data import EXPORT_PARTS, PersonalColumn

PERSONAL_DATA = (
    EXPORT_PARTS,
    PersonalColumn("members", "phone_hash", "phone (keyed hash)", "deleted",
                   "set to null: a hash of a phone number still singles the member out"),
    PersonalColumn("members", "device_hash", "device (hash)", "deleted", "set to null"),
    PersonalColumn("decisions", "note", "free-text note", "deleted",
                   "set to null on the decisions about the member's referrals (as referrer "
                   "or invitee)"),
    PersonalColumn("spends", "payment_reference", "payment token", "kept",
                   "already a keyed token (`tok_...`), not the reference; the abuse rule "
                   "compares it across members"),
)

LOOKALIKES = ()
