"""Rendering the Kubernetes manifests offline, and the facts the deployment tests compare
them with (the Kafka version the local runner assembles)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
K8S = REPO / "deploy" / "k8s"
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5@v5.5.0"


def kustomize_command(directory: Path) -> list[str]:
    """`kubectl kustomize` when kubectl is installed, else kustomize itself through Go; the
    test fails (never skips) when neither is there, so the manifests are never unchecked."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", str(directory)]
    if shutil.which("go"):
        return ["go", "run", KUSTOMIZE_MODULE, "build", str(directory)]
    pytest.fail("cannot render deploy/k8s: install kubectl (it embeds kustomize) or Go "
                f"(the test then runs `go run {KUSTOMIZE_MODULE} build`)")


def kustomize(directory: Path) -> list[dict]:
    done = subprocess.run(kustomize_command(directory), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"kustomize {directory} failed:\n{done.stderr}"
    return [document for document in yaml.safe_load_all(done.stdout) if document]


def local_kafka_version() -> str:
    """`kafka.version` in deploy/local/kafka/pom.xml: what `patronage.local` runs."""
    pom = ElementTree.parse(REPO / "deploy" / "local" / "kafka" / "pom.xml")
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    return pom.find("m:properties/m:kafka.version", namespace).text.strip()
