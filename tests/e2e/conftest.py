"""The end-to-end tests start the platform on fixed ports (the README's own, or a fixed
offset from them), so when the suite is spread over pytest-xdist workers they all go to
one worker and run one after another (`--dist loadgroup`, which scripts/test passes)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXED_PORTS = pytest.mark.xdist_group("e2e_fixed_ports")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(FIXED_PORTS)
