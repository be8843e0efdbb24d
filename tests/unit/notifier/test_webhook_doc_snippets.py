"""The verification snippets of docs/events/README.md ("Webhooks"), run as a receiver would
run them, against a delivery the notifier signed: they accept it and refuse a changed
body, another secret and a stale timestamp."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from services.notifier.rules.webhooks import new_secret, signed_headers

README = Path(__file__).parents[3] / "docs" / "events" / "README.md"
SECRET = new_secret(b"0123456789abcdef0123456789abcdef")
BODY = b'{"specversion":"1.0","id":"5b0c","data":{"amount":50000}}'


def snippet(language: str) -> str:
    section = README.read_text().split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    return code


def cases() -> list[tuple[str, dict[str, str], bytes, bool]]:
    now = int(time.time())
    fresh = signed_headers(SECRET, "5b0c", now, BODY)
    stale = signed_headers(SECRET, "5b0c", now - 3600, BODY)
    return [(SECRET, fresh, BODY, True),
            (SECRET, fresh, BODY.replace(b"50000", b"90000"), False),
            (new_secret(b"another key, thirty-two bytes!!!"), fresh, BODY, False),
            (SECRET, stale, BODY, False),
            (SECRET, {**fresh, "webhook-signature": "v2,x " + fresh["webhook-signature"]}, BODY, True)]


def test_the_python_snippet_verifies_a_notifier_signature():
    scope: dict = {}
    exec(compile(snippet("python"), str(README), "exec"), scope)  # the doc is ours
    verdicts = [scope["verify"](secret, headers, body) for secret, headers, body, _ in cases()]
    assert verdicts == [expected for *_, expected in cases()]


def test_the_node_snippet_verifies_a_notifier_signature(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed on this machine: the Node snippet cannot be run")
    (tmp_path / "verify.js").write_text(snippet("javascript"))
    runner = tmp_path / "run.js"
    runner.write_text(
        'const { verify } = require("./verify.js");\n'
        'const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));\n'
        'console.log(JSON.stringify(cases.map(([s, h, b]) => verify(s, h, Buffer.from(b, "utf8")))));\n')
    given = [[secret, headers, body.decode()] for secret, headers, body, _ in cases()]
    result = subprocess.run([node, str(runner)], input=json.dumps(given), capture_output=True,
                            text=True, timeout=30, check=True)
    assert json.loads(result.stdout) == [expected for *_, expected in cases()]
