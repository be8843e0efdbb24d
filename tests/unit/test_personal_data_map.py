"""The data map (docs/privacy.md) is checked against the code: every column of every
service's tables whose name sounds personal is declared in the service's
`store/personal_data.py` (as personal data with its erasure treatment, or as a lookalike
with the reason), every declared column exists, and the map in docs/privacy.md is exactly
what the declarations say. A new column of that kind cannot be added silently."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from shared.personal_data import MESSAGING_LOOKALIKES
from shared.topics import SERVICES

PRIVACY_DOC = Path(__file__).parents[2] / "docs" / "privacy.md"
BEGIN, END = "<!-- data map: begin -->", "<!-- data map: end -->"
# One of these as a part of a column's name (`phone_hash` has `phone`) makes it suspect.
PERSONAL_WORDS = frozenset({
    "birthday", "birth", "birthdate", "dob", "age", "phone", "mobile", "msisdn", "sms", "email",
    "mail", "address", "street", "postcode", "zip", "city", "name", "surname", "firstname",
    "lastname", "fullname", "gender", "sex", "passport", "ssn", "wechat", "openid", "push",
    "device", "token", "ip", "location", "contact", "contacts", "note", "notes", "comment",
    "body", "subject", "message", "text", "facts", "error", "nickname", "avatar", "photo",
})


def declarations(service: str):
    return importlib.import_module(f"services.{service}.store.personal_data")


def metadata_of(service: str) -> MetaData:
    return importlib.import_module(f"services.{service}.store.tables").metadata


def suspects(metadata: MetaData) -> set[tuple[str, str]]:
    return {(table.name, column.name) for table in metadata.sorted_tables
            for column in table.columns
            if PERSONAL_WORDS & set(re.split(r"[_\W]+", column.name.lower()))}


def declared(service: str) -> set[tuple[str, str]]:
    module = declarations(service)
    return {(entry.table, entry.column)
            for entry in (*module.PERSONAL_DATA, *module.LOOKALIKES, *MESSAGING_LOOKALIKES)}


def render_map() -> str:
    lines = ["| service | table | column | kind | on erasure | why |", "|---|---|---|---|---|---|"]
    for service in SERVICES:
        for entry in declarations(service).PERSONAL_DATA:
            lines.append(f"| {service} | `{entry.table}` | `{entry.column}` | {entry.kind} | "
                         f"{entry.treatment} | {entry.why} |")
    return "\n".join(lines)


@pytest.mark.parametrize("service", SERVICES)
def test_every_column_that_sounds_personal_is_declared(service):
    undeclared = suspects(metadata_of(service)) - declared(service)
    assert not undeclared, (
        f"{service}: declare these in services/{service}/store/personal_data.py (PERSONAL_DATA "
        f"with the erasure treatment, or LOOKALIKES with why not personal): {sorted(undeclared)}")


@pytest.mark.parametrize("service", SERVICES)
def test_every_declared_column_exists(service):
    columns = {(t.name, c.name) for t in metadata_of(service).sorted_tables for c in t.columns}
    module = declarations(service)
    own = {(e.table, e.column) for e in (*module.PERSONAL_DATA, *module.LOOKALIKES)}
    assert own <= columns, sorted(own - columns)


def test_the_scan_would_catch_a_new_personal_column():
    from sqlalchemy import Column, Table, Text
    metadata = MetaData()
    Table("members", metadata, Column("member_id", Text), Column("home_address", Text),
          Column("nickname", Text), Column("tier", Text))
    assert suspects(metadata) == {("members", "home_address"), ("members", "nickname")}


def test_docs_privacy_md_shows_the_declared_map():
    text = PRIVACY_DOC.read_text()
    assert BEGIN in text and END in text
    shown = text.split(BEGIN)[1].split(END)[0].strip()
    assert shown == render_map(), (
        "docs/privacy.md is out of date; the map between the markers must be:\n" + render_map())
