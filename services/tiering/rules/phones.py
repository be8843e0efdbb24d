"""A phone number as it is looked up: its digits only.

Tiering keeps the number as the member or the till typed it ("+86 138-0000-0000"); the
enrolment hash (`shared.events.tiering.phone_hash`) and the lookup both compare digits, so
"+86 138 0000 0000", "86-13800000000" and "8613800000000" are one number. The index
`members_by_phone` is on the same expression in SQL (store/members.py, PHONE_DIGITS)."""

from __future__ import annotations

from shared.rule_violations import RuleViolation

MIN_DIGITS = 5


def phone_digits(phone: str) -> str:
    """The digits of a number to look up; 422 `phone_too_short` for fewer than five (a
    fragment would list half the members)."""
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if len(digits) < MIN_DIGITS:
        raise RuleViolation("phone_too_short", f"A phone number has at least {MIN_DIGITS} digits.")
    return digits
