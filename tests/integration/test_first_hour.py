"""A newcomer's first commands, in a shell that has never seen this project: no uv on PATH,
an empty home, only the system's python3 (issue: `uv: command not found` in a new terminal,
and `pip install --user uv` refused by PEP 668 on a stock Debian python3)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")


def bare_environment(home: Path) -> dict[str, str]:
    """What a new login shell has: a home, the system PATH, and this machine's certificates."""
    keep = {k: v for k, v in os.environ.items() if k in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    return {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **keep}


def test_uv_installs_with_the_standard_library_and_the_cli_runs_without_uv_on_path(tmp_path):
    assert SYSTEM_PYTHON, "the test needs the system's python3"
    home = tmp_path / "home"
    home.mkdir()
    env = bare_environment(home)

    installed = subprocess.run([SYSTEM_PYTHON, str(REPO / "scripts/install-uv")], env=env,
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    uv = home / ".local/bin/uv"
    assert subprocess.run([str(uv), "--version"], capture_output=True, text=True,
                          check=True).stdout.startswith("uv 0.13.9")
    again = subprocess.run([SYSTEM_PYTHON, str(REPO / "scripts/install-uv")], env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "already" in again.stderr

    # The README's first line in a new terminal: the wrapper, from another directory.
    key = subprocess.run([str(REPO / "scripts/patronage"), "keys", "member", "--member", "m_1"],
                         env={**env, "PATRONAGE_ENVIRONMENT": "dev"}, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert key.returncode == 0, key.stderr
    assert key.stdout.count(".") == 2, f"not a JWT: {key.stdout!r}"
