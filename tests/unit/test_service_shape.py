"""The one service shape (docs/developing.md), checked over the tree itself: every service
has the template's parts, its rules are pure, nothing imports in a circle, and no function
in a service is there only for the tests."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/service.py"))
TEMPLATE = ("service.py", "settings.py", "handlers.py", "rules", "store", "store/tables.py",
            "api", "api/__init__.py", "jobs", "jobs/__init__.py", "migrations/env.py")
# Rules whose only callers are tests on purpose: each is the specification a database-side
# twin is tested against (the twin cannot call Python).
ORACLES = {
    "check_caps": "wallet_recharge's caps by kind; test_recharge_function.py",
    "findings": "wallet_recharge's short-window risk rules; test_recharge_function.py",
}
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "aiokafka", "httpx", "alembic")


def modules_under(folder: Path) -> Iterator[Path]:
    yield from (p for p in sorted(folder.rglob("*.py")) if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (a function-local or TYPE_CHECKING import
    is still a dependency of the design)."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_template_parts(service: str) -> None:
    missing = [part for part in TEMPLATE if not (ROOT / "services" / service / part).exists()]
    assert not missing, f"services/{service} lacks {missing} (see docs/developing.md)"


@pytest.mark.parametrize("service", SERVICES)
def test_rules_import_no_framework_and_nothing_outside_rules(service: str) -> None:
    own = f"services.{service}"
    offences = []
    for path in modules_under(ROOT / "services" / service / "rules"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            outside = name.startswith(own + ".") and not name.startswith(own + ".rules")
            if top in FRAMEWORKS or outside or (name.startswith("services.")
                                                and not name.startswith(own)):
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offences, "\n".join(offences)


def test_no_module_imports_itself_in_a_circle() -> None:
    files = [*modules_under(ROOT / "services"), *modules_under(ROOT / "shared")]
    names = {module_name(p): p for p in files}
    graph = {name: {i for i in imported_modules(path) if i in names and i != name}
             for name, path in names.items()}
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(sorted(c)) for c in cycles)


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm; the components of more than one module are the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def test_no_service_function_is_called_only_by_tests() -> None:
    """A top-level function of a service that nothing but a test names is a second
    implementation or dead code (the issue's `decide_bonus`). Names are counted as code
    uses them (names, attributes, imports), not as comments mention them."""
    product = [*modules_under(ROOT / "services"), *modules_under(ROOT / "shared"),
               *sorted((ROOT / "patronage").rglob("*.py"))]
    used: set[str] = set()
    for path in product:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.add(node.asname or node.name)
    unused = [f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
              for path in modules_under(ROOT / "services")
              for node in ast.parse(path.read_text()).body
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
              and node.name not in used and node.name not in ORACLES]
    assert not unused, "called by nothing but tests (or nothing):\n" + "\n".join(unused)
