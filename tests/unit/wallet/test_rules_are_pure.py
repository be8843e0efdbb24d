"""services/wallet/rules/ is pure (docs/developing.md): no web framework, no database
driver, no Kafka client, nothing from the wallet's store/, api/, handlers or jobs/."""

from __future__ import annotations

import ast
from pathlib import Path

import services.wallet.rules

RULES = Path(services.wallet.rules.__file__).parent
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "aiokafka",
             "services.wallet.store", "services.wallet.api", "services.wallet.handlers",
             "services.wallet.jobs", "shared.db", "shared.http", "shared.messaging")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_rule_module_imports_io_or_the_outer_layers():
    modules = sorted(RULES.glob("*.py"))
    assert len(modules) > 3  # the walk found the rules
    offending = {
        f"{path.name}: {name}"
        for path in modules for name in imported_modules(path)
        if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
    }
    assert offending == set()
