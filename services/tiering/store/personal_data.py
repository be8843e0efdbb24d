"""Tiering's personal data and what an erasure does to it (store/erasure.py does it)."""

from __future__ import annotations

from shared.personal_data import EXPORT_PARTS, PersonalColumn

PERSONAL_DATA = (
    EXPORT_PARTS,
    PersonalColumn("members", "phone", "phone", "deleted", "set to null"),
    PersonalColumn("members", "email", "email", "deleted", "set to null"),
    PersonalColumn("members", "birthday", "birthday", "deleted", "set to null"),
    PersonalColumn("members", "birthday_celebrated_in", "birthday", "deleted",
                   "set to null: the year says when a birthday was"),
    PersonalColumn("members", "member_number", "card number", "pseudonymised",
                   "replaced by `erased-` and a random id: the merchant's card number may be "
                   "printed on a card or known to others"),
    PersonalColumn("member_corrections", "changes", "contact history (masked)", "deleted",
                   "the member's rows are deleted: masked old and new phone, email, birthday"),
)

LOOKALIKES = ()
