"""deploy/grafana/patronage.json: valid JSON Grafana can import, every query naming only
metrics the services really export, and every messaging gauge on a panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import patronage.services  # noqa: F401 - every service's modules register their metrics
import shared.http.metrics  # registers the request histogram
import shared.messaging.metrics  # noqa: F401 - registers the messaging metrics

DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "patronage.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exported_series() -> dict[str, str]:
    """Every series name the registry can expose -> the family it belongs to."""
    return {family.name + suffix: family.name for family in REGISTRY.collect()
            for suffix in SUFFIXES.get(family.type, ())}


def queries() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_dashboard_is_importable_json_with_unique_panels():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["panels"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}"


def test_every_query_names_only_exported_metrics():
    series = exported_series()
    for expr in queries():
        named = set(re.findall(r"\bpatronage_[a-z_]+", expr))
        assert named, expr
        assert named <= series.keys(), (expr, named - series.keys())


def test_every_patronage_metric_is_on_a_panel():
    series = exported_series()
    on_panels = {series[name] for expr in queries()
                 for name in re.findall(r"\bpatronage_[a-z_]+", expr) if name in series}
    assert on_panels == {family for family in series.values()
                         if family.startswith("patronage_")}
