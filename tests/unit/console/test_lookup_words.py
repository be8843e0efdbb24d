"""The lookup's and resend's words join the console's without replacing any."""

from __future__ import annotations

from services.console.rules import words
from services.console.rules.lookup_words import LOOKUP_WORDS
from services.console.rules.setup_words import DASHBOARD_WORDS, SETUP_WORDS


def test_the_lookup_words_are_new_keys_in_both_languages():
    source = open(words.__file__, encoding="utf-8").read()
    assert not [key for key in LOOKUP_WORDS if f'"{key}": {{' in source]
    assert not set(LOOKUP_WORDS) & (set(SETUP_WORDS) | set(DASHBOARD_WORDS))
    assert all(set(entry) == {"en", "zh"} and all(entry.values()) for entry in LOOKUP_WORDS.values())
    assert all(words.WORDS[key] == entry for key, entry in LOOKUP_WORDS.items())
