"""The wallet's personal data: none of contact kind. What it holds about a member is money,
which the books keep under the member id (store/erasure.py settles the balance)."""

from __future__ import annotations

from shared.personal_data import EXPORT_PARTS, PersonalColumn

PERSONAL_DATA = (
    EXPORT_PARTS,
    PersonalColumn("recharges", "payment_reference", "payment reference", "kept",
                   "the provider's reference of a payment: a refund of that payment and the "
                   "merchant's reconciliation need it; it leaves the wallet only as a keyed "
                   "token and a masked form"),
    PersonalColumn("journal_entries", "member_id", "member id", "kept",
                   "the ledger is immutable and must verify: the member id is what the "
                   "member's lines and lots are kept under"),
)

LOOKALIKES = ()
