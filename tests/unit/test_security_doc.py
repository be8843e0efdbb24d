"""docs/security.md stays true: it names every ops scope of the catalog and every route the
authorization matrix holds to a rule, and no scope the code does not have."""

from __future__ import annotations

import re
from pathlib import Path

from shared.http.scopes import OPS_SCOPES
from tests.support.authorization_rules import COMMON, RULES

DOC = (Path(__file__).parents[2] / "docs" / "security.md").read_text()


def test_the_page_names_every_scope_and_only_those():
    assert set(re.findall(r"`(ops:[a-z]+)`", DOC)) == set(OPS_SCOPES)


def test_the_page_names_every_route_with_a_rule():
    missing = [f"{service}: {method} {path}" for service, rules in RULES.items()
               for method, path in rules if (method, path) not in COMMON
               and f"`{method} {path}`" not in DOC]
    assert not missing, missing


def test_every_scope_a_rule_names_is_in_the_catalog():
    named = {scope for rules in RULES.values() for rule in rules.values() for scope in rule.ops}
    assert named <= set(OPS_SCOPES), named - set(OPS_SCOPES)
