"""`--population FILE`: the lines `patronage events export` writes (built here the way the
export builds them, from the events' headers and published value) become members' past and
behaviour."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from typer.testing import CliRunner

from patronage.cli import app
from patronage.simulate.population import NEVER
from patronage.simulate.population_export import from_export
from shared.events.cloudevents import header_attributes
from shared.events.structured_mode import structured_event
from shared.events.tiering import MemberEnrolled, MembershipRenewed
from shared.events.wallet import PurchaseCompleted, PurchaseItem, RechargeCompleted

START = datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def line(event) -> str:
    return json.dumps(structured_event(header_attributes(event, trace={}), event.to_json()))


def recharge(member: str, at: datetime, amount: int, n: int) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=at, member_id=member, recharge_id=f"r{n}", amount=amount, currency="CNY",
        payment_method="wechat_pay", payment_reference=f"tok_{n}", store_id="store_1",
        channel="pos", is_first_recharge=n == 1, lifetime_recharged=amount * n)


def purchase(member: str, at: datetime, total: int, stored: int, n: int) -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=at, member_id=member, purchase_id=f"p{member}{n}", order_reference=f"o{n}",
        total=total, currency="CNY", paid_principal=stored, paid_bonus=0,
        paid_other=total - stored, store_id="store_1", channel="pos",
        items=(PurchaseItem(sku="coffee", quantity=1, amount=total),))


def enrolment(member: str, at: datetime) -> MemberEnrolled:
    return MemberEnrolled(occurred_at=at, member_id=member, channel="pos", locale="zh-CN",
                          enrolled_at=at)


def export_file(tmp_path):
    regular, gone = "m_regular", "m_gone"
    events = [
        enrolment(regular, datetime(2026, 3, 5, tzinfo=UTC)),
        enrolment(gone, datetime(2025, 12, 1, tzinfo=UTC)),
        purchase(gone, datetime(2026, 1, 20, tzinfo=UTC), 30_000, 0, 1),
        recharge(regular, datetime(2026, 6, 10, tzinfo=UTC), 50_000, 1),
        recharge(regular, datetime(2026, 9, 10, tzinfo=UTC), 50_000, 2),
        *(purchase(regular, datetime(2026, month, 12, tzinfo=UTC), 20_000, 15_000, month)
          for month in range(4, 13)),
        MembershipRenewed(occurred_at=datetime(2026, 4, 10, tzinfo=UTC), member_id=regular,
                          term_id="t1", term_start=datetime(2026, 4, 10, tzinfo=UTC),
                          term_end=datetime(2027, 4, 10, tzinfo=UTC), years=1, price=32_400,
                          currency="CNY", purchase_id="p_term"),
        recharge(regular, datetime(2027, 2, 1, tzinfo=UTC), 99_900, 3),  # after the start
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(line(e) for e in events) + "\n")
    return path


def test_members_history_becomes_their_past_and_their_behaviour(tmp_path):
    people = from_export(export_file(tmp_path), START, months=12, seed=5)

    assert people.member_ids == ("m_gone", "m_regular")
    gone, regular = 0, 1
    history = people.history
    assert people.recharges[regular, history - 7] == 50_000  # June 2026
    assert people.recharges[regular, history - 4] == 50_000  # September 2026
    assert people.recharges[regular, :history].sum() == 100_000  # February 2027 is not past
    assert set(people.recharges[regular, history:]) <= {0, 50_000}
    assert people.spend[regular, :history].sum() == 9 * 20_000
    future = people.spend[regular, history:]
    assert np.array_equal(people.stored_value_spend[regular], np.rint(future * 0.75))
    assert people.term_end_month[regular] == 3 and people.day[regular] == 10
    assert people.first_renewal[regular] and people.renewal_years[regular] == 1
    assert people.churn_month[gone] == 0 and people.term_end_month[gone] == -1
    assert people.spend[gone, history:].sum() == 0 and people.recharges[gone, history:].sum() == 0
    assert people.churn_month[regular] == NEVER or people.churn_month[regular] > 0


def test_the_command_runs_on_an_export_and_names_a_line_it_cannot_read(tmp_path):
    path = export_file(tmp_path)
    result = CliRunner().invoke(app, ["simulate", "--population", str(path), "--start",
                                      "2027-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["programs"][0]["members"] == 2

    path.write_text(path.read_text() + '{"type": "patronage.wallet.RechargeCompleted.v1"}\n')
    result = CliRunner().invoke(app, ["simulate", "--population", str(path)])
    assert result.exit_code == 2 and "line 17: not an exported event" in " ".join(
        word for word in result.output.split() if word != "│")
