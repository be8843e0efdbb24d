"""Referral codes: short, unambiguous when read aloud or typed from a poster, unguessable.

The alphabet leaves out 0/O and 1/I/L. Eleven characters from 31 give 31**11 ≈ 2.5e16
codes (about 54 bits), drawn with `secrets`: guessing one is hopeless, and a million
members collide with probability about 2e-5; the database's unique constraint catches
that case and the store draws again.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 11
CONFUSABLE = frozenset("0O1IL")
_SPACE = len(ALPHABET) ** LENGTH


def new_code() -> str:
    # one draw from the whole space, written in base 31: fast enough for a million
    number = secrets.randbelow(_SPACE)
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def normalise(typed: str) -> str:
    """What a member typed, as stored: case and separators do not matter."""
    return typed.strip().upper().replace("-", "").replace(" ", "")


def looks_like_a_code(code: str) -> bool:
    return len(code) == LENGTH and all(c in ALPHABET for c in code)
