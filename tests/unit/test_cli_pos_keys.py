"""`patronage keys pos` is a dev mint: its keys are in no registry (nobody could list or
revoke them), so outside dev and test it refuses and points to the wallet's registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "patronage", "keys", "pos", "--store", "store_1",
           "--terminal", "pos_1"]


def run(environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATRONAGE_ENVIRONMENT": environment,
           "PATRONAGE_JWT_SECRET": "a-production-secret-of-more-than-32-characters-0123"}
    return subprocess.run(COMMAND, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_outside_dev_it_points_to_the_registry_and_prints_no_key():
    done = run("prod")
    assert done.returncode == 2 and done.stdout == ""
    assert "/v1/ops/terminals/keys" in done.stderr


def test_in_dev_it_prints_a_pinned_pos_key():
    done = run("dev")
    assert done.returncode == 0, done.stderr
    claims = jwt.decode(done.stdout.strip(), options={"verify_signature": False})
    assert (claims["aud"], claims["iss"], claims["store"]) == ("patronage:pos", "patronage", "store_1")
    assert claims["jti"] and claims["exp"] > claims["iat"]
