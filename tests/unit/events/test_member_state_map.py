"""The map of member-visible state (tests/support/member_state.py) against the real tables
and the catalog: a table added to any service without a place in the map fails here, as
does an event named there that the catalog does not publish."""

from __future__ import annotations

from patronage.services import SERVICES
from shared.events.catalog import CATALOG
from tests.support.member_state import DESCRIBED, INTERNAL, WITHOUT_EVENT

WRITE_KINDS = {"INSERT", "UPDATE", "DELETE"}


def every_table() -> dict[str, object]:
    return {f"{name}.{table.name}": table for name, spec in SERVICES.items()
            for table in spec.metadata.tables.values()}


def test_every_table_of_every_service_is_described_or_says_why_not():
    tables = set(every_table())
    placed = [set(DESCRIBED), set(INTERNAL), set(WITHOUT_EVENT)]
    assert not (placed[0] & placed[1] or placed[0] & placed[2] or placed[1] & placed[2])
    assert sorted(tables - set().union(*placed)) == [], "place these in member_state.py"
    assert sorted(set().union(*placed) - tables) == [], "no such table any more"


def test_every_described_table_names_published_events_and_its_member_column():
    published = {kind.event_type for kind in CATALOG}
    tables = every_table()
    for name, described in DESCRIBED.items():
        assert described.events and set(described.events) <= published, name
        if described.member_column is not None:
            assert described.member_column in tables[name].columns, name
        assert set(described.quiet) <= WRITE_KINDS, name


def test_every_reason_is_written_out():
    for name, why in {**INTERNAL, **WITHOUT_EVENT}.items():
        assert len(why) > 20, name
