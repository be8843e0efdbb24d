"""The CLI tells "unreachable" from "broken" (issue: `patronage wallet verify` exited 1 with a
484-line traceback when the database was down, the same code as a broken ledger)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLOSED_PORT = "127.0.0.1:1"  # nothing listens on port 1


@pytest.mark.parametrize(("command", "setting", "value"), [
    (["wallet", "verify"], "PATRONAGE_DATABASE_URL", f"postgresql://nobody@{CLOSED_PORT}/patronage"),
    (["dlq", "replay", "rewards", "--dry-run"], "PATRONAGE_KAFKA_BOOTSTRAP", CLOSED_PORT),
])
def test_an_unreachable_database_or_broker_is_one_line_and_exit_3(command, setting, value):
    env = {**os.environ, "PATRONAGE_ENVIRONMENT": "test", setting: value}
    done = subprocess.run([sys.executable, "-m", "patronage", *command], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("patronage:")]
    assert len(ours) == 1 and "cannot reach the database or Kafka" in ours[0]
    assert "Traceback" not in done.stderr
