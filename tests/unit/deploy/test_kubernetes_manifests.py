"""deploy/k8s, rendered offline with kustomize: every object valid against the Kubernetes
schemas, and our own rules (probes, resources, locked-down containers, a PDB and an HPA per
service, a migration Job, Kafka and PostgreSQL from operators, no secret values)."""

from __future__ import annotations

import secrets
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from patronage.services import DEFAULT_PORTS
from shared.http.health import health_router
from tests.unit.deploy.rendering import K8S, REPO, kustomize, local_kafka_version

KUBERNETES_VERSION = "1.31.0"
RENDERS = ("base", "overlays/dev", "overlays/prod")
# Custom resources of the operators we rely on; kubernetes-validate has no schema for them.
OPERATOR_KINDS = {("kafka.strimzi.io/v1", "Kafka"), ("kafka.strimzi.io/v1", "KafkaNodePool"),
                  ("postgresql.cnpg.io/v1", "Cluster")}
SECRET_KEYS = ("PATRONAGE_JWT_SECRET", "PATRONAGE_TIERING_CONTACT_HASH_KEY",
               "PATRONAGE_WALLET_PAYMENT_REFERENCE_KEY",
               "PATRONAGE_NOTIFIER_LINK_SECRET", "PATRONAGE_NOTIFIER_PROVIDER_SECRET")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[dict]]:
    """Each render of a copy of deploy/k8s, with the dev overlay's untracked secrets.env
    written as the README says to."""
    copy = tmp_path_factory.mktemp("deploy") / "k8s"
    shutil.copytree(K8S, copy, ignore=shutil.ignore_patterns("secrets.env"))
    (copy / "overlays" / "dev" / "secrets.env").write_text(
        "".join(f"{key}={secrets.token_urlsafe(32)}\n" for key in SECRET_KEYS))
    return {name: kustomize(copy / name) for name in RENDERS}


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.parametrize("render", RENDERS)
def test_every_object_is_valid_kubernetes(rendered, render):
    invalid = []
    for document in rendered[render]:
        if (document["apiVersion"], document["kind"]) in OPERATOR_KINDS:
            continue
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            invalid.append(f"{document['kind']}/{document['metadata']['name']}: {error.message}")
    assert invalid == []


@pytest.mark.parametrize("render", RENDERS)
def test_every_service_has_a_deployment_service_pdb_and_hpa(rendered, render):
    objects = rendered[render]
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(of_kind(objects, kind)) == set(DEFAULT_PORTS), kind
    deployments = of_kind(objects, "Deployment")
    for name, budget in of_kind(objects, "PodDisruptionBudget").items():
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    for name, scaler in of_kind(objects, "HorizontalPodAutoscaler").items():
        assert scaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                    "name": name}
        assert 1 <= scaler["spec"]["minReplicas"] <= scaler["spec"]["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], "the HPA owns the replica count"


def assert_locked_down(pod: dict, where: str) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True, where
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
    for container in pod.get("initContainers", []) + pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, where
        assert context["allowPrivilegeEscalation"] is False, where
        assert context["capabilities"]["drop"] == ["ALL"], where
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), (where, bound)


@pytest.mark.parametrize("render", RENDERS)
def test_deployments_probe_start_ready_live_and_run_locked_down(rendered, render):
    served = {route.path for route in health_router({}).routes}
    for name, deployment in of_kind(rendered[render], "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert_locked_down(pod, name)
        [container] = pod["containers"]
        assert container["args"] == ["serve", name, "--port", str(DEFAULT_PORTS[name]),
                                     "--no-migrate"]
        probes = {kind: container[f"{kind}Probe"]["httpGet"]["path"]
                  for kind in ("startup", "readiness", "liveness")}
        assert probes == {"startup": "/healthz", "readiness": "/readyz", "liveness": "/healthz"}
        assert set(probes.values()) <= served
        startup = container["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 60, name
        [wait] = pod["initContainers"]
        assert wait["args"][:2] == ["wait-migrated", name]


@pytest.mark.parametrize("render", RENDERS)
def test_one_job_migrates_every_service(rendered, render):
    [job] = of_kind(rendered[render], "Job").values()
    pod = job["spec"]["template"]["spec"]
    assert_locked_down(pod, "migrate job")
    assert pod["containers"][0]["args"] == ["migrate", "all"]
    assert pod["restartPolicy"] == "Never" and job["spec"]["backoffLimit"] >= 1


@pytest.mark.parametrize("render", RENDERS)
def test_kafka_and_postgres_come_from_operators_by_name(rendered, render):
    objects = rendered[render]
    assert not of_kind(objects, "StatefulSet")
    [platform] = of_kind(objects, "ConfigMap").values()
    assert platform["data"]["PATRONAGE_KAFKA_BOOTSTRAP"] == "patronage-kafka-bootstrap:9092"
    for deployment in of_kind(objects, "Deployment").values():
        [database] = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        assert database["valueFrom"]["secretKeyRef"] == {"name": "patronage-db-app", "key": "uri"}


def test_the_example_operator_resources_give_those_names(rendered):
    """Strimzi names the bootstrap Service `<kafka>-kafka-bootstrap`; CloudNativePG names
    the application Secret `<cluster>-app`."""
    objects = rendered["overlays/dev"]
    assert {(o["apiVersion"], o["kind"]) for o in objects} >= OPERATOR_KINDS
    [kafka] = of_kind(objects, "Kafka").values()
    [pool] = of_kind(objects, "KafkaNodePool").values()
    [cluster] = of_kind(objects, "Cluster").values()
    assert f"{kafka['metadata']['name']}-kafka-bootstrap" == "patronage-kafka-bootstrap"
    assert {"name": "plain", "port": 9092, "type": "internal", "tls": False} in \
        kafka["spec"]["kafka"]["listeners"]
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}
    assert f"{cluster['metadata']['name']}-app" == "patronage-db-app"
    assert kafka["spec"]["kafka"]["version"] == local_kafka_version()


def test_no_secret_values_are_committed(rendered):
    for render in ("base", "overlays/prod"):
        assert not of_kind(rendered[render], "Secret"), "the Secret must come from the cluster"
    for path in (REPO / "deploy").rglob("*.y*ml"):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document.get("kind") == "Secret":
                assert not document.get("data") and not document.get("stringData"), path
    ignored = subprocess.run(["git", "check-ignore", "-q", "deploy/k8s/overlays/dev/secrets.env"],
                             cwd=REPO)
    assert ignored.returncode == 0, "the dev overlay's secrets.env must stay untracked"
    [generated] = of_kind(rendered["overlays/dev"], "Secret").values()
    assert set(generated["data"]) == set(SECRET_KEYS)
