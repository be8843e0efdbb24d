"""Referral codes: a million of them, none twice, none with a confusable character."""

from __future__ import annotations

from services.referral.rules.codes import (
    ALPHABET,
    CONFUSABLE,
    LENGTH,
    looks_like_a_code,
    new_code,
    normalise,
)


def test_a_million_codes_never_collide_and_never_use_a_confusable_character():
    codes = {new_code() for _ in range(1_000_000)}
    assert len(codes) == 1_000_000
    used = set().union(*map(set, list(codes)[:20_000]))
    assert used == set(ALPHABET)  # every letter of the alphabet is drawn, nothing else
    assert not CONFUSABLE & set(ALPHABET)
    assert all(len(code) == LENGTH for code in codes)


def test_what_a_member_types_is_read_without_case_or_separators():
    code = new_code()
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert normalise(typed) == code
    assert looks_like_a_code(normalise(typed))
    assert not looks_like_a_code(code[:-1] + "O")
