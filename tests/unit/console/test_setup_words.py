"""The program setup's and dashboard's words join the console's without replacing any."""

from __future__ import annotations

from services.console.rules import words
from services.console.rules.setup_words import DASHBOARD_WORDS, SETUP_WORDS


def test_the_pages_words_are_new_keys_in_both_languages():
    ours = SETUP_WORDS | DASHBOARD_WORDS
    source = open(words.__file__, encoding="utf-8").read()
    # a key of ours that the console's own table also defines would silently replace it
    assert not [key for key in ours if f'"{key}": {{' in source]
    assert not set(SETUP_WORDS) & set(DASHBOARD_WORDS)
    assert all(set(entry) == {"en", "zh"} and all(entry.values()) for entry in ours.values())
    assert all(words.WORDS[key] == entry for key, entry in ours.items())
