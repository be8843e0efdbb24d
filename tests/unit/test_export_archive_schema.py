"""The documented archive shape (docs/privacy/export-archive.schema.json) is a valid JSON
Schema and names exactly the sections each service's part builds, so a section added,
renamed or dropped in code cannot leave the document stale; and every section pages by
columns its table has."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from services.notifier.store import data_exports as notifier
from services.referral.store import data_exports as referral
from services.rewards.store import data_exports as rewards
from services.tiering.rules.data_exports import PARTS
from services.tiering.store import data_exports as tiering
from services.wallet.store import data_exports as wallet

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "privacy" /
                     "export-archive.schema.json").read_text())
BUILDERS = {"tiering": tiering, "wallet": wallet, "rewards": rewards, "referral": referral,
            "notifier": notifier}


def test_the_schema_is_a_valid_json_schema_requiring_every_part():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["parts"]["required"] == list(PARTS) == list(BUILDERS)


@pytest.mark.parametrize("service", list(BUILDERS))
def test_the_schema_names_exactly_the_sections_the_service_builds(service):
    documented = SCHEMA["$defs"][service]["properties"]["sections"]["required"]
    assert documented == [section.name for section in BUILDERS[service].SECTIONS]


@pytest.mark.parametrize("service", list(BUILDERS))
def test_every_section_pages_by_columns_of_its_table(service):
    for section in BUILDERS[service].SECTIONS:
        columns = set(section.table.c.keys())
        assert {section.member_column, *section.keys} <= columns, section.name


def test_an_archive_without_a_services_part_does_not_validate():
    part = {"service": "tiering", "built_at": "2026-11-29T12:00:00+00:00", "records": 0,
            "sections": {name: [] for name in SCHEMA["$defs"]["tiering"]["properties"]
                         ["sections"]["required"]}}
    archive = {"format": "patronage.member-data-export", "version": 1,
               "export_id": "6f1c2d4e-0000-4000-8000-000000000000", "member_id": "m_1",
               "requested_at": "2026-11-29T12:00:00+00:00",
               "expires_at": "2026-12-06T12:00:00+00:00",
               "assembled_at": "2026-11-29T12:00:00+00:00", "parts": {"tiering": part}}
    with pytest.raises(jsonschema.ValidationError, match="wallet"):
        jsonschema.validate(archive, SCHEMA)
