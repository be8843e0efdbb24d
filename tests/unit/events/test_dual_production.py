"""Dual production's rules, without I/O: which versions an outbox write produces, the
copy's id and envelope, and the id a consumer claims."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from shared.events import dual_production
from shared.events.catalog import CATALOG
from shared.events.dual_production import (
    DualProduction,
    claim_id,
    older_copy_id,
    with_older_versions,
)
from shared.events.wallet import RechargeCompleted, WalletFrozen
from tests.support.dual_versions import ProbeNotedV1, ProbeNotedV2, probe_noted_until, to_v1

UNTIL = date(2027, 3, 31)
REGISTRY = (probe_noted_until(UNTIL),)


def noted(day: date) -> ProbeNotedV2:
    return ProbeNotedV2(occurred_at=datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC),
                        member_id="m1", note_id="n1", amount=5, currency="CNY",
                        correlation_id=uuid4(), causation_id=uuid4())


def test_a_v2_event_is_followed_by_its_v1_copy_with_the_same_envelope():
    event = noted(UNTIL)
    written = list(with_older_versions([event], REGISTRY))
    assert [type(e) for e in written] == [ProbeNotedV2, ProbeNotedV1]
    copy = written[1]
    assert copy.event_id == older_copy_id(event.event_id, 1) != event.event_id
    assert (copy.occurred_at, copy.member_id, copy.correlation_id, copy.causation_id) == (
        event.occurred_at, event.member_id, event.correlation_id, event.causation_id)
    assert (copy.note_id, copy.amount) == ("n1", 5)


def test_after_the_announced_day_only_v2_is_written():
    assert [type(e) for e in with_older_versions([noted(date(2027, 4, 1))], REGISTRY)] == [
        ProbeNotedV2]


def test_events_outside_dual_production_are_written_alone_and_claimed_by_their_own_id():
    v1 = ProbeNotedV1(occurred_at=datetime.now(UTC), member_id="m1", note_id="n", amount=1)
    assert list(with_older_versions([v1], REGISTRY)) == [v1]
    assert claim_id(v1, REGISTRY) == v1.event_id
    unregistered = noted(UNTIL)
    assert list(with_older_versions([unregistered], ())) == [unregistered]
    assert claim_id(unregistered, ()) == unregistered.event_id


def test_both_versions_of_one_fact_are_claimed_under_one_id():
    event = noted(UNTIL)
    copy = list(with_older_versions([event], REGISTRY))[1]
    assert claim_id(event, REGISTRY) == claim_id(copy, REGISTRY) == copy.event_id


def test_the_copy_id_is_stable_so_a_replayed_write_gives_the_same_ids():
    event = noted(UNTIL)
    assert older_copy_id(event.event_id, 1) == older_copy_id(event.event_id, 1)
    assert older_copy_id(event.event_id, 1) != older_copy_id(uuid4(), 1)


@pytest.mark.parametrize("newer, older", [(ProbeNotedV1, ProbeNotedV2),
                                          (ProbeNotedV2, RechargeCompleted)])
def test_a_pair_is_vn_plus_one_and_vn_of_one_event(newer, older):
    with pytest.raises(ValueError, match="dual production pairs"):
        DualProduction(newer, older, UNTIL, to_v1)


def test_to_older_must_give_the_older_class():
    wrong = DualProduction(ProbeNotedV2, ProbeNotedV1, UNTIL, lambda event: event)
    with pytest.raises(TypeError, match="to_older"):
        list(with_older_versions([noted(UNTIL)], (wrong,)))


RECHARGE_FUNCTION_WRITES = {RechargeCompleted.event_type, WalletFrozen.event_type}


def registration_problems(registry) -> list[str]:
    """Both versions must decode (the catalog), and both must reach the outbox through the
    unit of work: RechargeCompleted and WalletFrozen are written by wallet_recharge.sql,
    which knows nothing of copies, so their v2 needs that function changed first."""
    problems = [f"{kind.ce_type()} is not in the catalog" for pair in registry
                for kind in (pair.newer, pair.older) if kind not in CATALOG]
    problems += [f"{pair.older.event_type} is written by wallet_recharge.sql" for pair in registry
                 if pair.older.event_type in RECHARGE_FUNCTION_WRITES]
    return problems


def test_every_registered_pair_decodes_and_goes_through_the_outbox_writer():
    assert registration_problems(dual_production.DUAL_PRODUCTIONS) == []


class RechargeCompletedV2(RechargeCompleted):
    event_version = 2


def test_the_registration_check_names_what_is_wrong():
    assert registration_problems(REGISTRY) == [
        "patronage.probe.ProbeNoted.v2 is not in the catalog",
        "patronage.probe.ProbeNoted.v1 is not in the catalog"]
    recharge_pair = DualProduction(RechargeCompletedV2, RechargeCompleted, UNTIL, to_v1)
    assert "RechargeCompleted is written by wallet_recharge.sql" in registration_problems(
        (recharge_pair,))
