"""The evolution guard: a change to a published event that would break its subscribers is
refused (and `schema_export` writes nothing), an additive optional field is published."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import Field

from shared.events.evolution import breaking_changes
from shared.events.schema_export import DOCS_DIR, event_json_schema, guard_findings, main
from shared.events.wallet import RechargeCompleted

PUBLISHED = "schemas/patronage.wallet.RechargeCompleted.v1.json"


def published_recharge() -> dict:
    return json.loads((DOCS_DIR / PUBLISHED).read_text(encoding="utf-8"))


def test_the_code_breaks_no_published_schema():
    assert guard_findings() == []


def test_an_additive_optional_field_passes():
    class Grown(RechargeCompleted):
        loyalty_note: str | None = None

    assert breaking_changes(published_recharge(), event_json_schema(Grown)) == []


@pytest.mark.parametrize(("change", "expected"), [
    ("narrowed", "$.amount: minimum changed from 0 to 1"),
    ("nullable", "$.amount: type changed from 'integer' to None"),
    ("new_required", "$.loyalty_tier: a new required field"),
])
def test_a_changed_field_of_a_published_event_is_refused(change: str, expected: str):
    class Narrowed(RechargeCompleted):
        amount: int = Field(ge=1)

    class Nullable(RechargeCompleted):
        amount: int | None = None

    class NewRequired(RechargeCompleted):
        loyalty_tier: str

    candidate = {"narrowed": Narrowed, "nullable": Nullable, "new_required": NewRequired}[change]
    found = breaking_changes(published_recharge(), event_json_schema(candidate))

    assert any(finding.startswith(expected) for finding in found), found


def test_a_removed_or_renamed_field_and_a_changed_enum_are_refused():
    published = published_recharge()
    renamed = json.loads(json.dumps(published))
    renamed["properties"]["amount_minor"] = renamed["properties"].pop("amount")
    renamed["required"] = [("amount_minor" if n == "amount" else n) for n in renamed["required"]]
    widened = json.loads(json.dumps(published))
    widened["$defs"]["RiskFinding"]["properties"]["action"]["enum"].append("notify")

    assert "$.amount: removed (a rename is a removal too)" in breaking_changes(published, renamed)
    assert any("enum changed (removed [], added ['notify'])" in f
               for f in breaking_changes(published, widened))


def scratch_docs(tmp_path: Path) -> Path:
    docs = tmp_path / "events"
    shutil.copytree(DOCS_DIR, docs)
    return docs


def test_schema_export_refuses_a_breaking_change_and_writes_nothing(tmp_path: Path, capsys):
    docs = scratch_docs(tmp_path)
    # As if v1 had been published with a field the code no longer has (a removal).
    published = published_recharge()
    published["properties"]["terminal_batch"] = {"type": "string"}
    published["required"].append("terminal_batch")
    (docs / PUBLISHED).write_text(json.dumps(published), encoding="utf-8")
    before = {p: p.read_bytes() for p in docs.rglob("*.json")}

    assert main(docs) == 1

    told = capsys.readouterr().err
    assert "terminal_batch: removed" in told
    # and where to read how to publish v2 instead
    assert "event_version = N+1" in told and "shared/events/dual_production.py" in told
    assert "docs/events/README.md, Versioning" in told
    assert {p: p.read_bytes() for p in docs.rglob("*.json")} == before


def test_schema_export_publishes_an_additive_change(tmp_path: Path):
    docs = scratch_docs(tmp_path)
    # As if v1 had been published before `payment_reference_masked` (optional) existed.
    published = published_recharge()
    del published["properties"]["payment_reference_masked"]
    (docs / PUBLISHED).write_text(json.dumps(published), encoding="utf-8")

    assert main(docs) == 0

    republished = json.loads((docs / PUBLISHED).read_text(encoding="utf-8"))
    assert "payment_reference_masked" in republished["properties"]


def test_a_published_schema_no_event_produces_is_refused(tmp_path: Path):
    docs = scratch_docs(tmp_path)
    shutil.copy(docs / PUBLISHED, docs / "schemas/patronage.wallet.RechargeVoided.v1.json")

    findings = guard_findings(docs)

    assert findings and findings[0].startswith("patronage.wallet.RechargeVoided.v1: published")
