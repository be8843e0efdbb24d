"""Referral's rules/ import no web framework, database driver or Kafka client, and
nothing from the service's own store/, api/ or handlers (docs/developing.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import services.referral.rules as rules

FORBIDDEN = ("fastapi", "sqlalchemy", "asyncpg", "aiokafka", "services.referral.store",
             "services.referral.api", "services.referral.handlers")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_rules_import_nothing_impure():
    files = sorted(Path(rules.__file__).parent.glob("*.py"))
    assert len(files) >= 5  # __init__, codes, programs, qualification, abuse
    impure = {f"{path.name}: {name}" for path in files for name in imported_modules(path)
              if name.startswith(FORBIDDEN)}
    assert impure == set()
