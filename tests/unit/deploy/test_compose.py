"""docker-compose.yml, parsed (no Docker engine needed): every service checked for health,
started after the one-shot migration, Kafka the version the local runner uses, and every
variable compose requires documented in the README."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from patronage.local.kafka import KAFKA_VERSION
from patronage.services import DEFAULT_PORTS
from tests.unit.deploy.rendering import REPO, local_kafka_version

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
REQUIRED = re.compile(r"\$\{(\w+):\?")


def test_every_platform_service_is_there_and_migrate_runs_once():
    assert set(SERVICES) == {"postgres", "kafka", "migrate", *DEFAULT_PORTS}
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["migrate", "all"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", sorted(DEFAULT_PORTS))
def test_each_service_waits_for_migrate_and_kafka_and_checks_its_readiness(name):
    service, port = SERVICES[name], DEFAULT_PORTS[name]
    assert service["command"] == ["serve", name, "--port", str(port), "--no-migrate"]
    assert service["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "kafka": {"condition": "service_healthy"},
    }
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
    assert service["read_only"] is True


def test_infrastructure_has_healthchecks_and_kafka_matches_the_local_runner():
    for name in ("postgres", "kafka"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{local_kafka_version()}"
    assert local_kafka_version() == KAFKA_VERSION


def test_every_required_variable_is_documented_in_the_readme():
    required = set(REQUIRED.findall((REPO / "docker-compose.yml").read_text()))
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Running it for real", 1)[1].split("\n## ", 1)[0]
    assert "PATRONAGE_JWT_SECRET" in required
    assert {name for name in required if name not in section} == set()


class Readiness(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/readyz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_healthcheck_command_follows_readyz(status, healthy):
    """The image has Python but no curl: run the check's own command against a /readyz
    answering 200, then 503."""
    handler = type("Answer", (Readiness,), {"status": status})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kind, program, *args = SERVICES["wallet"]["healthcheck"]["test"]
        assert (kind, program) == ("CMD", "python")
        args = [a.replace(":8101/", f":{server.server_port}/") for a in args]
        done = subprocess.run([sys.executable, *args], capture_output=True, timeout=30)
    finally:
        server.shutdown()
    assert (done.returncode == 0) is healthy, done.stderr
