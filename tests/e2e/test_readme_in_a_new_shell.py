"""The README as a newcomer pastes it, on this machine's OS: `scripts/dev` started from a
shell that has never seen the project (empty home, the system's PATH, so bootstrap installs
uv itself), then the whole "Try it" block pasted into another new shell — verbatim, on the
README's own ports — and every answer checked: no problem document anywhere, and the
outcomes the README's comments promise (the recharge, the bonus, the referral, the coupon,
the T-30 renewal reminder after `patronage tick`)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from patronage.services import CONTROL_PORT, DEFAULT_PORTS
from tests.integration.test_first_hour import REPO, bare_environment

pytestmark = pytest.mark.integration
README_PORTS = (CONTROL_PORT, *DEFAULT_PORTS.values())


def try_it_block() -> str:
    """The first ```bash block after "Try it" in the README."""
    readme = (REPO / "README.md").read_text()
    after = readme[readme.index("Try it"):]
    return re.search(r"```bash\n(.*?)```", after, re.S).group(1)


def answers(output: str) -> list[object]:
    """The JSON documents curl printed back to back (curl -s adds no newline); what else
    was printed (`patronage tick`'s progress lines) is skipped line by line."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while (position := _skip_space(output, position)) < len(output):
        if output[position] in "{[":
            document, position = decoder.raw_decode(output, position)
            documents.append(document)
            continue
        newline = output.find("\n", position)
        position = len(output) if newline < 0 else newline + 1
    return documents


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def dev_from_a_new_shell(tmp_path_factory) -> Iterator[dict[str, str]]:
    taken = [port for port in README_PORTS if _port_taken(port)]
    assert not taken, f"ports {taken} are in use: stop the `patronage dev` running there"
    home = tmp_path_factory.mktemp("newcomer-home")
    env = bare_environment(home)
    process = subprocess.Popen(["bash", "-c", "scripts/dev"], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    output, deadline = [], time.monotonic() + 600  # installs uv from PyPI on the way
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Patronage is running" in line:
            break
        if not line and process.poll() is not None:
            pytest.fail("scripts/dev exited:\n" + "".join(output))
    else:
        process.kill()
        pytest.fail("scripts/dev did not start in 600 s:\n" + "".join(output))
    assert (home / ".local/bin/uv").is_file(), "bootstrap did not install uv into the new home"
    assert "export POS_KEY=" in "".join(output), "no ready-to-paste demo credentials"
    try:
        yield env
    finally:
        process.terminate()  # what Ctrl-C does: the dev command stops and deletes its data
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_try_it_block_pasted_into_a_new_shell_gives_the_documented_answers(
        dev_from_a_new_shell: dict[str, str], tmp_path: Path):
    script = tmp_path / "try-it.sh"
    script.write_text("set -euo pipefail\n" + try_it_block())
    pasted = subprocess.run(["bash", str(script)], cwd=REPO, env=dev_from_a_new_shell,
                            capture_output=True, text=True, timeout=600)
    assert pasted.returncode == 0, pasted.stderr[-3000:]
    (tmp_path / "stdout.txt").write_text(pasted.stdout)

    documents = answers(pasted.stdout)
    problems = [d for d in documents if isinstance(d, dict) and "code" in d
                and isinstance(d.get("status"), int) and d["status"] >= 400]
    assert not problems, problems
    objects = [d for d in documents if isinstance(d, dict)]
    assert any(d.get("card_kind") == "registered" and d.get("member_id") == "m_1001"
               for d in objects), "the wallet never saw the enrolment"
    assert any(d.get("amount") == 50_000 and d.get("status") == "completed" and "bonus" in d
               for d in objects), "no recharge receipt"
    decisions = [item for d in documents if isinstance(d, list) for item in d]
    assert any(item.get("bonus_status") == "granted" and item.get("bonus_amount") == 10_500
               for item in decisions), "no 105.00 bonus (ladder 80.00 + first-recharge 5 %)"
    assert any(d.get("qualified") == 1 for d in objects), "the friend's referral did not qualify"
    assert any(coupon.get("template_id") == "referral_friend_50"
               for d in objects for coupon in d.get("items", [])
               if isinstance(coupon, dict)), "no 50.00 coupon for the referrer"
    kinds = [message.get("kind") for message in documents[-1]["items"]]
    assert "renewal_reminder" in kinds, kinds
