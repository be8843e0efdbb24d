"""Safe defaults: without an explicit dev or test environment a service refuses the dev
secrets, placeholders and short secrets, and the refusal never prints the secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from services.notifier.service import SPEC as NOTIFIER
from services.notifier.settings import NotifierSettings
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.settings import DEV_JWT_SECRET, PlatformSettings
from shared.startup_secrets import UnsafeSecret, refuse_unsafe_secrets

REAL = "9f2c4e7a1b8d3f6e0a5c9b2d4f7e1a3c"
WEAK = {
    "the dev value": DEV_JWT_SECRET,
    "a placeholder": "please-change-me-before-production-0123456789",
    "a short one": "s3cr3t-but-short",
    "a repeated pattern": "ab" * 20,
}
ROOT = Path(__file__).parents[3]


def leaks(secret: str, text: str) -> bool:
    """Any 10 characters of the secret in the text: errors truncate long inputs."""
    return any(secret[i:i + 10] in text for i in range(len(secret) - 9))


@pytest.fixture
def no_environment(monkeypatch):
    for name in ("PATRONAGE_ENVIRONMENT", "PATRONAGE_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_without_an_environment_the_platform_refuses_the_dev_secret(no_environment):
    with pytest.raises(ValidationError, match="PATRONAGE_JWT_SECRET is the dev value"):
        PlatformSettings()


@pytest.mark.parametrize("kind", WEAK)
def test_outside_dev_every_weak_secret_is_refused_without_being_printed(no_environment, kind):
    for environment in ("prod", None):
        explicit = {"environment": environment} if environment else {}
        with pytest.raises(ValidationError) as refused:
            PlatformSettings(jwt_secret=WEAK[kind], **explicit)
        assert "PATRONAGE_JWT_SECRET" in str(refused.value)
        assert not leaks(WEAK[kind], str(refused.value) + repr(refused.value))


def test_explicit_dev_and_test_accept_the_dev_secret_and_prod_a_real_one(no_environment):
    assert PlatformSettings(environment="dev").jwt_secret == DEV_JWT_SECRET
    assert PlatformSettings(environment="test").jwt_secret == DEV_JWT_SECRET
    assert PlatformSettings(jwt_secret=REAL).environment == "prod"
    assert not leaks(REAL, repr(PlatformSettings(jwt_secret=REAL)))


def test_the_services_secrets_are_checked_by_name_and_never_printed():
    tiering = TieringSettings()
    notifier = NotifierSettings(link_secret=SecretStr(REAL),
                                provider_secret=SecretStr("provider-secret-placeholder-0123456789"))
    with pytest.raises(UnsafeSecret, match="PATRONAGE_TIERING_CONTACT_HASH_KEY is the dev value"):
        refuse_unsafe_secrets("prod", TIERING.secrets(tiering), TIERING.dev_secret_values)
    with pytest.raises(UnsafeSecret) as refused:
        refuse_unsafe_secrets("prod", NOTIFIER.secrets(notifier), NOTIFIER.dev_secret_values)
    assert "PATRONAGE_NOTIFIER_PROVIDER_SECRET is a placeholder" in str(refused.value)
    assert "LINK_SECRET" not in str(refused.value) and not leaks(REAL, str(refused.value))
    refuse_unsafe_secrets("dev", TIERING.secrets(tiering), TIERING.dev_secret_values)
    refuse_unsafe_secrets("prod", TIERING.secrets(TieringSettings(contact_hash_key=REAL)),
                          TIERING.dev_secret_values)


def serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`patronage serve` with nothing inherited that could make it dev; the database and
    broker are closed ports, so reaching them would fail differently."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PATRONAGE_")}
    clean.update(PATRONAGE_DATABASE_URL="postgresql://postgres@127.0.0.1:9/none",
                 PATRONAGE_KAFKA_BOOTSTRAP="127.0.0.1:9", **env)
    return subprocess.run([sys.executable, "-m", "patronage", "serve", *args], env=clean,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_serve_without_an_environment_refuses_a_short_secret_and_never_echoes_it():
    secret = "hunter2-visible-if-echoed"
    result = serve("wallet", PATRONAGE_JWT_SECRET=secret)
    assert result.returncode == 2, result.stderr
    assert "PATRONAGE_JWT_SECRET is shorter than 32 characters" in result.stderr
    assert not leaks(secret, result.stderr + result.stdout)
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_service_secret_left_at_its_dev_value():
    result = serve("tiering", PATRONAGE_JWT_SECRET=REAL)
    assert result.returncode == 2, result.stderr
    assert "PATRONAGE_TIERING_CONTACT_HASH_KEY is the dev value" in result.stderr
