"""docs/developing.md describes the real tree: every file or folder it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("services/", "shared/", "tests/", "patronage/", "docs/", "deploy/", "scripts/")


def named_paths(markdown: str) -> set[str]:
    """Paths in `code spans` (the part before a `:` or a space), placeholders left out."""
    spans = re.findall(r"`([^`\n]+)`", markdown)
    paths = {span.split(":")[0].split(" ")[0] for span in spans}
    return {p for p in paths if p.startswith(TOP_LEVEL) and "<" not in p and "*" not in p}


def test_every_path_the_developing_guide_names_exists() -> None:
    guide = (ROOT / "docs" / "developing.md").read_text()
    paths = named_paths(guide)
    assert len(paths) >= 20, f"the guide names few paths; the parser may be wrong: {paths}"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/developing.md names paths that do not exist: {missing}"


def test_the_guide_lists_every_service_that_exists() -> None:
    guide = (ROOT / "docs" / "developing.md").read_text()
    services = sorted(p.parent.name for p in (ROOT / "services").glob("*/service.py"))
    absent = [s for s in services if f"services/{s}/rules/" not in guide]
    assert not absent, f"docs/developing.md's table lacks {absent}"
