"""The deployment manifests (compose, Kubernetes, Dockerfile) against the code they deploy.

Parsed, never run: no Docker engine or cluster here. Where ``kubectl`` (or ``kustomize``)
is installed, the overlays are also built for real.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import (
    COMPOSE_DIR,
    DEPLOY,
    K8S,
    K8S_BASE,
    OVERLAYS,
    REQUIRED_ENV,
    ROOT,
    SERVICES,
    SETTINGS,
    UVICORN_EXTRA_SECONDS,
    Doc,
    base_docs,
    compose,
    compose_env,
    container,
    default_of,
    duration_seconds,
    env_file,
    env_names,
    find,
    k8s_env,
    kustomization,
    load_docs,
    of_kind,
    secret_data,
    secret_template,
    shared_env_names,
    shutdown_grace,
    yaml_files,
)
from pydantic import ValidationError
from pydantic_settings import SettingsError

from shared.topology import CONSUMERS, Topology

OVERLAY_NAMES = ("staging", "production")
KEDA_MANAGED = "feedback"


def _port(service: str) -> int:
    return int(default_of(service, "http_port"))


def _prestop_sleep(spec: Doc) -> float:
    command = spec.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if command[:1] == ["sleep"]:
        return float(command[1])
    return 0.0


# -- every file parses ------------------------------------------------------------------
def test_every_yaml_file_under_deploy_parses() -> None:
    files = [p for p in yaml_files(DEPLOY) if "local" not in p.relative_to(DEPLOY).parts]
    assert len(files) >= 15
    for path in files:
        assert load_docs(path), f"{path} is empty"


def test_every_kubernetes_document_has_api_version_kind_and_name() -> None:
    for path in yaml_files(K8S):
        for doc in load_docs(path):
            assert doc.get("apiVersion"), f"{path}: {doc}"
            assert doc.get("kind"), f"{path}: {doc}"
            if doc["kind"] != "Kustomization":
                assert doc.get("metadata", {}).get("name"), f"{path}: {doc['kind']} unnamed"


@pytest.mark.parametrize("directory", [K8S_BASE, *(OVERLAYS / n for n in OVERLAY_NAMES)])
def test_kustomizations_reference_existing_files(directory: Path) -> None:
    kust = kustomization(directory)
    assert kust["kind"] == "Kustomization"
    for resource in kust.get("resources", []):
        target = directory / resource
        assert target.is_file() or (target / "kustomization.yaml").is_file(), target
    for patch in kust.get("patches", []):
        if "path" in patch:
            assert (directory / patch["path"]).is_file(), patch["path"]
        assert "path" in patch or "patch" in patch


def test_base_lists_every_manifest_but_the_secret_template() -> None:
    listed = set(kustomization(K8S_BASE)["resources"])
    present = {p.name for p in K8S_BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert present - listed == {"secret.example.yaml"}
    assert not of_kind(base_docs(), "Secret"), "secrets are created by hand, never applied"


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlays_patch_and_scale_what_the_base_has(overlay: str) -> None:
    kust = kustomization(OVERLAYS / overlay)
    docs = base_docs()
    assert kust["namespace"]
    namespace = load_docs(OVERLAYS / overlay / "namespace.yaml")[0]
    assert namespace["kind"] == "Namespace"
    assert namespace["metadata"]["name"] == kust["namespace"]
    # One image per service (#16), all at the same tag.
    images = {i["name"]: i for i in kust["images"]}
    assert list(images) == [f"contentops-{s}" for s in SERVICES]
    assert len({i["newTag"] for i in images.values()}) == 1
    assert kust["images"][0]["newTag"]
    for service in SERVICES:
        assert images[f"contentops-{service}"]["newName"].endswith(f"/contentops-{service}")
    for patch in kust.get("patches", []):
        target = patch["target"]
        find(docs, target["kind"], target["name"])
    scaled = {r["name"]: r["count"] for r in kust.get("replicas", [])}
    assert KEDA_MANAGED not in scaled, "KEDA owns the feedback replica count"
    assert set(scaled) == set(SERVICES) - {KEDA_MANAGED}
    for name in scaled:
        find(docs, "Deployment", name)


def _overlay_patch_ops(overlay: str, kind: str, name: str) -> list[Doc]:
    ops: list[Doc] = []
    for patch in kustomization(OVERLAYS / overlay).get("patches", []):
        target = patch["target"]
        if target["kind"] == kind and target["name"] == name:
            ops.extend(yaml.safe_load(patch["patch"]))
    return ops


def _patched(overlay: str, kind: str, name: str, path: str) -> Any:
    values = [op["value"] for op in _overlay_patch_ops(overlay, kind, name) if op["path"] == path]
    return values[-1] if values else None


def test_production_runs_three_rabbitmq_nodes_and_three_mongodb_members() -> None:
    rabbit = find(base_docs(), "RabbitmqCluster", "contentops-rabbitmq")
    mongo = find(base_docs(), "MongoDBCommunity", "contentops-mongo")
    assert mongo["spec"]["type"] == "ReplicaSet"
    replicas = _patched("production", "RabbitmqCluster", "contentops-rabbitmq", "/spec/replicas")
    members = _patched("production", "MongoDBCommunity", "contentops-mongo", "/spec/members")
    assert (replicas or rabbit["spec"]["replicas"]) == 3
    assert (members or mongo["spec"]["members"]) == 3
    assert mongo["spec"]["security"]["authentication"]["modes"] == ["SCRAM"]


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlay_settings_patches_name_known_settings(overlay: str) -> None:
    for patch in kustomization(OVERLAYS / overlay).get("patches", []):
        target = patch["target"]
        if target["kind"] != "ConfigMap":
            continue
        owner = target["name"].removesuffix("-config")
        known = shared_env_names() if owner == "contentops-shared" else env_names(SETTINGS[owner])
        for op in yaml.safe_load(patch["patch"]):
            key = op["path"].removeprefix("/data/")
            assert key in known, f"{overlay}: {target['name']} sets unknown {key}"


# -- Kubernetes: each service ------------------------------------------------------------
@pytest.mark.parametrize("service", SERVICES)
def test_deployment_probes_ports_and_command(service: str) -> None:
    deployment = find(base_docs(), "Deployment", service)
    spec = container(deployment)
    port = _port(service)
    assert spec["command"] == ["python", "-m", f"services.{service}"]
    assert spec["image"] == f"contentops-{service}"
    ports = {p["name"]: p["containerPort"] for p in spec["ports"]}
    assert ports == {"http": port}
    for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
        get = spec[probe]["httpGet"]
        assert get["path"] == path, f"{service} {probe}"
        assert get["port"] in ("http", port), f"{service} {probe}"
    assert spec["startupProbe"]["httpGet"]["path"] == "/health"
    env = k8s_env(service)
    assert env[f"{service.upper()}_HTTP_HOST"] == "0.0.0.0"
    assert int(env.get(f"{service.upper()}_HTTP_PORT", port)) == port


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_resources_security_and_scrape_annotations(service: str) -> None:
    deployment = find(base_docs(), "Deployment", service)
    pod = deployment["spec"]["template"]
    spec = container(deployment)
    for section in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(spec["resources"][section]), f"{service} {section}"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["allowPrivilegeEscalation"] is False
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(_port(service))
    assert annotations["prometheus.io/path"] == "/metrics"
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()


@pytest.mark.parametrize("service", SERVICES)
def test_termination_grace_outlasts_the_shutdown_grace(service: str) -> None:
    deployment = find(base_docs(), "Deployment", service)
    grace = shutdown_grace(service, k8s_env(service))
    needed = grace + UVICORN_EXTRA_SECONDS + _prestop_sleep(container(deployment))
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > needed


@pytest.mark.parametrize("service", SERVICES)
def test_service_and_pod_disruption_budget_select_the_pods(service: str) -> None:
    docs = base_docs()
    labels = find(docs, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    svc = find(docs, "Service", service)
    assert svc["spec"]["selector"].items() <= labels.items()
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [
        (_port(service), "http")
    ]
    pdb = find(docs, "PodDisruptionBudget", service)
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert "maxUnavailable" in pdb["spec"] or "minAvailable" in pdb["spec"]


@pytest.mark.parametrize("service", SERVICES)
def test_kubernetes_sets_only_known_settings_and_the_required_ones(service: str) -> None:
    env = k8s_env(service)
    unknown = set(env) - env_names(SETTINGS[service])
    assert not unknown, f"{service}: not settings of {SETTINGS[service].__name__}: {unknown}"
    missing = REQUIRED_ENV - set(env)
    assert not missing, f"{service} lacks {missing}"


def test_shared_configmap_holds_only_shared_names() -> None:
    data = find(base_docs(), "ConfigMap", "contentops-shared")["data"]
    assert set(data) <= shared_env_names()


def test_every_secret_and_configmap_a_pod_reads_exists() -> None:
    for service in SERVICES:
        for source in container(find(base_docs(), "Deployment", service)).get("envFrom", []):
            if "configMapRef" in source:
                find(base_docs(), "ConfigMap", source["configMapRef"]["name"])
            else:
                find(secret_template(), "Secret", source["secretRef"]["name"])


def test_secret_template_marks_its_placeholders() -> None:
    shared = secret_data(find(secret_template(), "Secret", "contentops-secrets"))
    assert set(shared) == REQUIRED_ENV
    for key, value in shared.items():
        assert "REPLACE_ME" in value, key
    password = secret_data(find(secret_template(), "Secret", "contentops-mongo-password"))
    assert password == {"password": "REPLACE_ME"}
    mongo = find(base_docs(), "MongoDBCommunity", "contentops-mongo")
    assert mongo["spec"]["users"][0]["passwordSecretRef"]["name"] == "contentops-mongo-password"
    assert f"replicaSet={mongo['metadata']['name']}" in shared["MONGO_URL"]
    rabbit = find(base_docs(), "RabbitmqCluster", "contentops-rabbitmq")["metadata"]["name"]
    assert re.search(rf"@{rabbit}\.[a-z0-9-]+\.svc", shared["RABBIT_URL"]), "KEDA needs a FQDN"


def test_the_placeholder_api_tokens_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKENS", "REPLACE_ME")
    with pytest.raises((SettingsError, ValidationError)):
        SETTINGS["drafting"]()


# -- KEDA --------------------------------------------------------------------------------
def test_feedback_scales_on_its_ingestion_queue() -> None:
    docs = base_docs()
    scaled = of_kind(docs, "ScaledObject")
    assert len(scaled) == 1
    spec = scaled[0]["spec"]
    target = spec["scaleTargetRef"]
    assert target.get("kind", "Deployment") == "Deployment"
    assert target["name"] == KEDA_MANAGED
    deployment = find(docs, "Deployment", KEDA_MANAGED)
    assert "replicas" not in deployment["spec"], "a fixed count would fight the autoscaler"
    assert 1 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["mode"] == "QueueLength"
    assert int(trigger["metadata"]["value"]) > 0
    namespace = find(docs, "ConfigMap", "contentops-shared")["data"]["CONTENTOPS_NAMESPACE"]
    topology = Topology(namespace=namespace)
    queues = {topology.names(KEDA_MANAGED, e).main for e in CONSUMERS[KEDA_MANAGED]}
    assert trigger["metadata"]["queueName"] in queues
    assert trigger["metadata"]["queueName"] == topology.names("feedback", "feedback.received").main
    auth = find(docs, "TriggerAuthentication", trigger["authenticationRef"]["name"])
    (ref,) = auth["spec"]["secretTargetRef"]
    assert ref["parameter"] == "host"
    assert ref["key"] in secret_data(find(secret_template(), "Secret", ref["name"]))


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlay_autoscaling_bounds_are_sane(overlay: str) -> None:
    spec = of_kind(base_docs(), "ScaledObject")[0]["spec"]
    low = _patched(overlay, "ScaledObject", "feedback", "/spec/minReplicaCount")
    high = _patched(overlay, "ScaledObject", "feedback", "/spec/maxReplicaCount")
    low = spec["minReplicaCount"] if low is None else low
    high = spec["maxReplicaCount"] if high is None else high
    assert 1 <= low < high


# -- kustomize build (kustomize, or kubectl's built-in kustomize) -----------------------
def _kustomize(directory: Path) -> list[Doc]:
    if shutil.which("kustomize"):
        command = ["kustomize", "build", str(directory)]
    elif shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(directory)]
    else:
        # Fails rather than skips: the overlays would otherwise go unbuilt unnoticed.
        raise AssertionError(
            "neither kustomize nor kubectl is installed: the overlays cannot be built; "
            "install one (https://kubectl.docs.kubernetes.io/installation/kustomize/)"
        )
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlays_build_with_kustomize(overlay: str) -> None:
    docs = _kustomize(OVERLAYS / overlay)
    namespace = kustomization(OVERLAYS / overlay)["namespace"]
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace, doc["metadata"]["name"]
    tag = kustomization(OVERLAYS / overlay)["images"][0]["newTag"]
    for service in SERVICES:
        image = container(find(docs, "Deployment", service))["image"]
        assert image.endswith(f"/contentops-{service}:{tag}"), image
    assert "replicas" not in find(docs, "Deployment", KEDA_MANAGED)["spec"]
    if overlay == "production":
        assert find(docs, "RabbitmqCluster", "contentops-rabbitmq")["spec"]["replicas"] == 3
        assert find(docs, "MongoDBCommunity", "contentops-mongo")["spec"]["members"] == 3
        for service in set(SERVICES) - {KEDA_MANAGED}:
            assert find(docs, "Deployment", service)["spec"]["replicas"] >= 2


# -- docker compose ----------------------------------------------------------------------
def _compose_services() -> dict[str, Doc]:
    services: dict[str, Doc] = compose()["services"]
    return services


def test_compose_runs_each_service_from_its_own_image() -> None:
    services = _compose_services()
    assert set(SERVICES) <= set(services)
    images = {services[s]["image"] for s in SERVICES}
    assert len(images) == len(SERVICES)
    for service in SERVICES:
        spec = services[service]
        assert f"-{service}:" in spec["image"]
        assert spec["build"]["args"] == {"SERVICE": service}
        assert spec["command"] == ["python", "-m", f"services.{service}"]
        assert spec["build"]["context"] == "../.."
        assert (COMPOSE_DIR / spec["build"]["context"] / spec["build"]["dockerfile"]).is_file()
        assert spec["env_file"] in (".env", [".env"])
        assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert spec["depends_on"]["mongo"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_healthcheck_and_stop_grace(service: str) -> None:
    spec = _compose_services()[service]
    port = _port(service)
    check = " ".join(spec["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/ready" in check
    env = compose_env(service)
    assert env[f"{service.upper()}_HTTP_HOST"] == "0.0.0.0"
    assert int(env.get(f"{service.upper()}_HTTP_PORT", port)) == port
    assert any(str(p).endswith(f":{port}:{port}") for p in spec["ports"])
    grace = shutdown_grace(service, env) + UVICORN_EXTRA_SECONDS
    assert duration_seconds(spec["stop_grace_period"]) > grace


@pytest.mark.parametrize("service", SERVICES)
def test_compose_environment_names_known_settings(service: str) -> None:
    block = _compose_services()[service].get("environment", {})
    unknown = set(block) - env_names(SETTINGS[service])
    assert not unknown, f"{service}: not settings of {SETTINGS[service].__name__}: {unknown}"
    assert not REQUIRED_ENV - set(compose_env(service))


def test_env_example_names_settings_or_compose_variables() -> None:
    values = env_file(COMPOSE_DIR / ".env.example")
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    settings = set().union(*(env_names(cls) for cls in SETTINGS.values()))
    for key in values:
        assert key in interpolated or key in settings, f".env.example: {key} is used by nothing"
    assert interpolated <= set(values), "every ${VAR} in compose.yaml is in .env.example"
    assert not REQUIRED_ENV - set(values)
    for secret in ("API_TOKENS", "RABBITMQ_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
        assert values[secret] == "REPLACE_ME", secret
    for key, value in values.items():
        if re.search(r"SECRET|PASSWORD|TOKEN|AES_KEY", key):
            assert value in ("", "REPLACE_ME"), f"{key} carries a value in the example"


def test_compose_infrastructure() -> None:
    services = _compose_services()
    rabbit, mongo = services["rabbitmq"], services["mongo"]
    assert re.fullmatch(r"rabbitmq:4[.\d]*-management", rabbit["image"])
    assert any(v.endswith(":/var/lib/rabbitmq") for v in rabbit["volumes"])
    assert "healthcheck" in rabbit
    plugins = (COMPOSE_DIR / "rabbitmq" / "enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_prometheus" in plugins
    assert re.fullmatch(r"mongo:8[.\d]*", mongo["image"])
    assert mongo["command"][:2] == ["--replSet", "rs0"]
    assert any(v.endswith(":/data/db") for v in mongo["volumes"])
    mongo_check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in mongo_check
    assert "rs.status()" in mongo_check
    assert "replicaSet=rs0" in env_file(COMPOSE_DIR / ".env.example")["MONGO_URL"]
    named = set(compose()["volumes"])
    for spec in services.values():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in named, volume
            else:
                assert (COMPOSE_DIR / source).exists(), volume


def test_compose_mounts_monitoring_config_that_exists() -> None:
    services = _compose_services()
    for name in ("prometheus", "grafana"):
        for volume in services[name]["volumes"]:
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).exists(), volume
    mounts = " ".join(services["prometheus"]["volumes"])
    assert "alerts.yml" in mounts
    assert "prometheus.yml" in mounts


# -- Dockerfile --------------------------------------------------------------------------
def test_dockerfile_builds_a_non_root_image_per_service_without_secrets() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    # SERVICE picks the locked requirements (#16); the project goes on top without deps.
    assert re.search(r"^ARG SERVICE=all$", text, re.M)
    assert re.search(r"^COPY requirements/\$\{SERVICE\}\.txt ", text, re.M)
    assert re.search(r"pip install --require-hashes -r requirements\.txt$", text, re.M)
    assert re.search(r"pip install --no-deps \.$", text, re.M)
    accepted = re.search(r'case "\$SERVICE" in ([a-z|]+)\)', text)
    assert accepted
    assert set(accepted.group(1).split("|")) == {*SERVICES, "all"}
    for name in (*SERVICES, "all"):
        assert (ROOT / "requirements" / f"{name}.txt").is_file(), name
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r'^CMD \["contentops-service"\]', text, re.M)
    assert "exec python -m %s" in text
    for line in re.findall(r"^(?:ENV|ARG)\b.*(?:\n\s+.*)*", text, re.M):
        assert not re.search(r"API_TOKENS|SECRET|PASSWORD|RABBIT_URL|MONGO_URL", line), line
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", ".env", "**/.env", "var"):
        assert entry in ignored, entry
