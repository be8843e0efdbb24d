"""The notifier's rules import no web framework, database or Kafka client, and nothing of
the service's own imperative shell: they stay testable without I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import services.notifier.rules as rules

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "aiokafka", "httpx", "aiosmtplib",
             "services.notifier.store", "services.notifier.api", "services.notifier.handlers",
             "services.notifier.jobs", "services.notifier.channels")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_rules_import_nothing_impure():
    files = sorted(Path(rules.__file__).parent.glob("*.py"))
    assert len(files) > 5
    for path in files:
        impure = {name for name in imported_modules(path)
                  if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)}
        assert impure == set(), f"{path.name} imports {sorted(impure)}"
