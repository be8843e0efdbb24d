"""Refusing weak secrets at start, without ever printing them.

A service holding members' prepaid money must not run with a secret anyone can read in the
source (the dev values), a placeholder left in a template, or one short enough to guess.
Only an explicit `PATRONAGE_ENVIRONMENT=dev` or `test` (what `patronage dev` and the test
harness set) accepts them; every other environment, including the default, refuses.

The refusal names the setting and the reason, never the value: start-up errors end up in
logs that many people read.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

MIN_SECRET_LENGTH = 32
# Fewer distinct characters than this is a pattern someone typed, not a random secret.
MIN_DISTINCT_CHARACTERS = 10
PLACEHOLDER_MARKERS = ("dev-only", "dev-secret", "change-me", "changeme", "change_me",
                       "placeholder", "replace-me", "replace_me", "example", "your-secret",
                       "notifier-secret", "insecure")
ENVIRONMENTS_ACCEPTING_WEAK_SECRETS = frozenset({"dev", "test"})


class UnsafeSecret(ValueError):
    """A secret setting a non-dev environment may not start with."""


def weakness(value: str | SecretStr | None, known_dev_values: frozenset[str] = frozenset()) -> str | None:
    """Why this secret is unfit outside dev, or None when it is fit."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else (value or "")
    if not text:
        return "is not set"
    if text in known_dev_values:
        return "is the dev value published in the source"
    lowered = text.lower()
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "is a placeholder"
    if len(text) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(text)) < MIN_DISTINCT_CHARACTERS:
        return "is a repeated pattern, not a random value"
    return None


def refuse_unsafe_secrets(environment: str, secrets: Mapping[str, str | SecretStr | None],
                          known_dev_values: frozenset[str] = frozenset()) -> None:
    """Raise `UnsafeSecret` naming every unfit secret (by its environment variable) unless
    the environment explicitly accepts them."""
    if environment in ENVIRONMENTS_ACCEPTING_WEAK_SECRETS:
        return
    problems = [f"{name} {reason}" for name, value in secrets.items()
                if (reason := weakness(value, known_dev_values))]
    if problems:
        raise UnsafeSecret(
            f"refusing to start with PATRONAGE_ENVIRONMENT={environment}: "
            + "; ".join(problems)
            + f". Set each to a random value of at least {MIN_SECRET_LENGTH} characters "
            "(e.g. `openssl rand -hex 32`); PATRONAGE_ENVIRONMENT=dev accepts the dev values "
            "and is only for a developer's machine.")
