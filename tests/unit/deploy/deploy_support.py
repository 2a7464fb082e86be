"""Loading and reading the deployment manifests under deploy/ (shared by the deploy tests)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, AliasPath

from services.audience.settings import AudienceSettings
from services.drafting.settings import DraftingSettings
from services.feedback.settings import FeedbackSettings
from services.gateway.settings import GatewaySettings
from services.publisher.settings import PublisherSettings
from services.reporting.settings import ReportingSettings
from services.review.settings import ReviewSettings
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
K8S_BASE = K8S / "base"
OVERLAYS = K8S / "overlays"
PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "drafting": DraftingSettings,
    "review": ReviewSettings,
    "publisher": PublisherSettings,
    "feedback": FeedbackSettings,
    "reporting": ReportingSettings,
    "gateway": GatewaySettings,
    "audience": AudienceSettings,
}
SERVICES = tuple(SETTINGS)
REQUIRED_ENV = frozenset({"API_TOKENS", "RABBIT_URL", "MONGO_URL"})
# shared/serve.py gives uvicorn <grace> + 5 s to shut down.
UVICORN_EXTRA_SECONDS = 5.0

Doc = dict[str, Any]


# -- settings ----------------------------------------------------------------------------
def _alias_names(alias: object) -> set[str]:
    if isinstance(alias, str):
        return {alias.upper()}
    if isinstance(alias, AliasChoices):
        return {c.upper() for c in alias.choices if isinstance(c, str)}
    if isinstance(alias, AliasPath):
        return {str(alias.path[0]).upper()}
    return set()


@cache
def env_names(cls: type[ServiceSettings]) -> frozenset[str]:
    """Every environment name a settings class reads: its aliases, else prefix + field."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for field_name, field in cls.model_fields.items():
        aliases = _alias_names(field.validation_alias)
        names |= aliases or {f"{prefix}{field_name}".upper()}
    return frozenset(names)


@cache
def shared_env_names() -> frozenset[str]:
    """The infrastructure names every service reads (RABBIT_URL, MONGO_URL, ...)."""
    names: set[str] = set()
    for field in ServiceSettings.model_fields.values():
        names |= _alias_names(field.validation_alias)
    return frozenset(names)


def default_of(service: str, field: str) -> Any:
    return SETTINGS[service].model_fields[field].default


def shutdown_grace(service: str, env: dict[str, str]) -> float:
    """The shutdown grace a service runs with, given the environment it is handed."""
    value = env.get(f"{service.upper()}_SHUTDOWN_GRACE_SECONDS")
    return float(value) if value else float(default_of(service, "shutdown_grace_seconds"))


# -- files -------------------------------------------------------------------------------
def load_docs(path: Path) -> list[Doc]:
    """Every non-empty YAML document of a file."""
    with path.open(encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d is not None]


def load_one(path: Path) -> Doc:
    docs = load_docs(path)
    assert len(docs) == 1, f"{path} should hold one YAML document"
    return docs[0]


def yaml_files(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def kustomization(directory: Path) -> Doc:
    return load_one(directory / "kustomization.yaml")


@cache
def base_docs() -> tuple[Doc, ...]:
    """The documents the base kustomization lists (files only: the base has no sub-bases)."""
    docs: list[Doc] = []
    for resource in kustomization(K8S_BASE)["resources"]:
        docs.extend(load_docs(K8S_BASE / resource))
    return tuple(docs)


@cache
def secret_template() -> tuple[Doc, ...]:
    return tuple(load_docs(K8S_BASE / "secret.example.yaml"))


def find(docs: tuple[Doc, ...] | list[Doc], kind: str, name: str) -> Doc:
    for doc in docs:
        if doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name:
            return doc
    raise AssertionError(f"no {kind} named {name!r}")


def of_kind(docs: tuple[Doc, ...] | list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def container(deployment: Doc) -> Doc:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per service pod"
    result: Doc = containers[0]
    return result


def secret_data(secret: Doc) -> dict[str, str]:
    data: dict[str, str] = {**secret.get("data", {}), **secret.get("stringData", {})}
    return data


def k8s_env(service: str) -> dict[str, str]:
    """The environment a service's pod gets in the base: envFrom sources and env."""
    docs = base_docs()
    spec = container(find(docs, "Deployment", service))
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]
            data = find(docs, "ConfigMap", ref["name"]).get("data", {})
        else:
            ref = source["secretRef"]
            data = secret_data(find(secret_template(), "Secret", ref["name"]))
        env.update({str(k): str(v) for k, v in data.items()})
    for item in spec.get("env", []):
        env[item["name"]] = str(item.get("value", ""))
    return env


@cache
def compose() -> Doc:
    return load_one(COMPOSE_DIR / "compose.yaml")


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (comments and blanks skipped, quotes kept)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path}: not KEY=VALUE: {raw!r}"
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"{path}: bad name {key!r}"
        assert key not in values, f"{path}: {key} set twice"
        values[key] = value
    return values


def compose_env(service: str) -> dict[str, str]:
    """A compose service's environment: its env_file(s), then its environment block."""
    spec = compose()["services"][service]
    env: dict[str, str] = {}
    files = spec.get("env_file", [])
    for name in [files] if isinstance(files, str) else files:
        path = COMPOSE_DIR / (name if isinstance(name, str) else name["path"])
        example = path.with_name(path.name + ".example")
        env.update(env_file(example if not path.exists() else path))
    block = spec.get("environment", {})
    if isinstance(block, list):
        block = dict(item.split("=", 1) for item in block)
    env.update({str(k): str(v) for k, v in block.items()})
    return env


def duration_seconds(text: str | int | float) -> float:
    """Seconds of a compose/Prometheus duration such as ``60s``, ``1m30s``, ``2h``."""
    if isinstance(text, int | float):
        return float(text)
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", text)
    assert "".join(n + u for n, u in parts) == text, f"bad duration {text!r}"
    assert parts, f"bad duration {text!r}"
    return sum(float(n) * units[u] for n, u in parts)


# -- PromQL ------------------------------------------------------------------------------
_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"}
    | {"offset", "bool", "inf", "nan", "atan2", "start", "end"}
)


def balanced(expr: str) -> bool:
    """Brackets balance outside string literals (a promtool-like sanity check)."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in expr:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'`":
            quote = ch
        elif ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return not stack and quote is None


def strip_strings(expr: str) -> str:
    return re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)


def metric_names(expr: str) -> set[str]:
    """Metric names an expression selects (functions, keywords and labels left out)."""
    text = strip_strings(expr)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text
    )  # grouping labels
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end() :].lstrip()
        if not following.startswith("(") and name not in _KEYWORDS:
            names.add(name)
    return names


def label_matchers(expr: str, label: str) -> list[tuple[str, str]]:
    """``(operator, value)`` of each matcher on ``label`` (PromQL string escapes undone)."""
    found = []
    for op, raw in re.findall(rf'\b{label}\s*(=~|!~|!=|=)\s*"((?:\\.|[^"\\])*)"', expr):
        found.append((op, raw.encode().decode("unicode_escape")))
    return found


@cache
def known_metrics() -> frozenset[str]:
    """Every series name the services export: ours (from the source) and FastStream's."""
    from faststream.prometheus.container import MetricsContainer
    from prometheus_client import CollectorRegistry

    names: set[str] = set()
    pattern = re.compile(r'\b(Counter|Gauge|Histogram|Summary)\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"')
    families: list[tuple[str, str]] = []
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "shared").rglob("*.py")]:
        for kind, name in pattern.findall(path.read_text(encoding="utf-8")):
            families.append((name.removesuffix("_total"), kind.lower()))
    registry = CollectorRegistry()
    MetricsContainer(registry, custom_label_names=[])
    families.extend((family.name, family.type) for family in registry.collect())
    for name, kind in families:
        if kind == "counter":
            names |= {f"{name}_total", f"{name}_created"}
        elif kind in {"histogram", "summary"}:
            names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum", f"{name}_created"}
        else:
            names.add(name)
    return frozenset(names)


def is_known_metric(name: str) -> bool:
    """Ours, FastStream's, RabbitMQ's Prometheus plugin, or Prometheus's own ``up``."""
    return name in known_metrics() or name.startswith("rabbitmq_") or name == "up"
