"""An ops wording is checked like a message would render it: the kind's facts and
formatters pass, anything else is refused with its line."""

from __future__ import annotations

import pytest

from services.notifier.rules.template_wording import checked_wording, digest, wording_of
from shared.rule_violations import RuleViolation


def refusal(subject: str, body: str, kind: str = "recharge_receipt") -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        checked_wording(kind, "en", subject, body)
    assert refused.value.code == "invalid_template"
    return refused.value


def test_a_wording_with_the_kinds_facts_and_formatters_is_the_subject_then_the_body():
    wording = checked_wording("recharge_receipt", "en", " Got {{ money(amount, currency) }} ",
                              "<p>{{ day(at) }} {{ recharge_id }}</p>\n")
    assert wording == "Got {{ money(amount, currency) }}\n<p>{{ day(at) }} {{ recharge_id }}</p>"
    assert digest(wording) == digest(wording_of("Got {{ money(amount, currency) }}",
                                                "<p>{{ day(at) }} {{ recharge_id }}</p>"))
    assert len(digest(wording)) == 12


@pytest.mark.parametrize(("subject", "body", "line", "field"), [
    ("Hi {{ first_name }}", "<p>x</p>", 1, "subject"),  # a fact the kind does not carry
    ("Hi", "<p>x</p>\n<p>{{ points }}</p>", 3, "body"),  # points are another kind's fact
    ("Hi", "<p>x</p>\n{% for q in %}", 3, "body"),  # not Jinja2
    ("Hi", "<p>{{ money(amount) }}</p>", 2, "body"),  # a formatter called wrong
    ("Two\nlines", "<p>x</p>", 1, "subject"),
    ("Hi", "   ", 2, "body"),
])
def test_a_wording_that_does_not_render_is_refused_with_its_line(subject, body, line, field):
    refused = refusal(subject, body)
    assert refused.extra["line"] == line and f"(line {line})" in refused.detail
    assert refused.extra["errors"][0]["location"] == ["body", field]
