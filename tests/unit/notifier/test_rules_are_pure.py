"""The notifier's modules import in the directions docs/developing.md lays down: `rules/`
imports no web framework, database, Kafka, HTTP or SMTP client and nothing of the
service's imperative shell, so it stays testable without I/O; and no two notifier modules
import each other, directly or round about. Read from the source (AST)."""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

import services.notifier

ROOT = Path(services.notifier.__file__).parent
PACKAGE = "services.notifier"
IMPURE = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "aiokafka", "httpx", "aiosmtplib")
OUTER = tuple(f"{PACKAGE}.{layer}" for layer in
              ("store", "api", "handlers", "jobs", "channels", "service", "settings"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def imports_of(name: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names
                      if f"{node.module}.{a.name}" in MODULES}
    return found


def test_rules_import_nothing_impure_and_nothing_of_the_outer_layers():
    rules = [name for name in MODULES if name.startswith(f"{PACKAGE}.rules")]
    assert len(rules) >= 8
    offending = {name: sorted(i for i in imports_of(name)
                              if i.split(".")[0] in IMPURE or i.startswith(OUTER))
                 for name in rules}
    assert {name: found for name, found in offending.items() if found} == {}


def test_no_notifier_module_imports_itself_round_about():
    graph = {name: {i for i in imports_of(name) if i in MODULES and i != name} for name in MODULES}

    def cycle_from(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            name, path = stack.pop()
            for target in graph[name]:
                if target == start:
                    return [*path, start]
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
        return None

    # a package's __init__ importing its own modules is how packages work, not a cycle
    cycles = [c for name in MODULES if (c := cycle_from(name))
              and not any(b.startswith(f"{a}.") for a, b in pairwise(c))]
    assert cycles == []
