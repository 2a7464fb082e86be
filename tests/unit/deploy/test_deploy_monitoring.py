"""Prometheus scrape config, alert rules and the Grafana dashboard against the code.

Metric names must be ones the services (or FastStream, RabbitMQ, Prometheus) export, and
queue matchers must agree with shared/topology.py. Where ``promtool`` is installed it
checks the files too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from deploy_support import (
    GRAFANA,
    PROMETHEUS,
    SERVICES,
    Doc,
    balanced,
    compose,
    default_of,
    duration_seconds,
    is_known_metric,
    label_matchers,
    load_docs,
    load_one,
    metric_names,
)

from shared.events.reports import ReportKind
from shared.topology import CONSUMERS, Topology

SEVERITIES = {"critical", "warning", "info"}
DASHBOARD = GRAFANA / "dashboards" / "contentops.json"


@cache
def rules() -> tuple[Doc, ...]:
    found: list[Doc] = []
    for group in load_one(PROMETHEUS / "alerts.yml")["groups"]:
        assert group["name"]
        assert group["rules"]
        found.extend(group["rules"])
    return tuple(found)


def rule(name: str) -> Doc:
    for candidate in rules():
        if candidate["alert"] == name:
            return candidate
    raise AssertionError(f"no alert {name}")


def all_queue_names() -> tuple[set[str], set[str], set[str]]:
    topology = Topology()
    names = [topology.names(s, e) for s, events in CONSUMERS.items() for e in events]
    return {n.main for n in names}, {n.dlq for n in names}, {n.retry for n in names}


def selects(matchers: list[tuple[str, str]], name: str) -> bool:
    """Whether a queue name passes every matcher (PromQL regexes are anchored)."""
    for op, value in matchers:
        ok = {
            "=": name == value,
            "!=": name != value,
            "=~": re.fullmatch(value, name) is not None,
            "!~": re.fullmatch(value, name) is None,
        }[op]
        if not ok:
            return False
    return True


@cache
def dashboard() -> Doc:
    data: Doc = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] if p["type"] != "row" for t in p["targets"]]


# -- alert rules -------------------------------------------------------------------------
def test_every_rule_is_complete() -> None:
    names = [r.get("alert") for r in rules()]
    assert len(names) == len(set(names)), "alert names are unique"
    for r in rules():
        assert r.get("alert"), r
        assert isinstance(r.get("expr"), str), r["alert"]
        assert r["expr"].strip(), r["alert"]
        assert duration_seconds(r["for"]) > 0, r["alert"]
        assert r["labels"]["severity"] in SEVERITIES, r["alert"]
        assert r["annotations"]["summary"].strip(), r["alert"]
        assert r["annotations"]["description"].strip(), r["alert"]
        assert set(r) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}


def test_rule_expressions_are_balanced_and_name_real_metrics() -> None:
    for r in rules():
        expr = r["expr"]
        assert balanced(expr), f"{r['alert']}: unbalanced brackets"
        names = metric_names(expr)
        assert names, f"{r['alert']} selects no metric"
        unknown = {n for n in names if not is_known_metric(n)}
        assert not unknown, f"{r['alert']}: no such metric {unknown}"
        for text in r["annotations"].values():
            assert text.count("{{") == text.count("}}"), r["alert"]


def test_rules_cover_what_must_page() -> None:
    covered: set[str] = set()
    for r in rules():
        covered |= metric_names(r["expr"])
    must = {
        "publisher_slots_missed_total",  # a slot missed
        "publisher_publish_lateness_seconds_bucket",  # published late
        "publisher_unknown_outcomes_total",  # outcome unknown
        "rabbitmq_queue_messages_ready",  # messages in a DLQ
        "contentops_dead_lettered_total",
        "rabbitmq_queue_consumers",  # no consumer
        "feedback_enquiries_overdue",  # 12-hour reply limit
        "feedback_windows_open",  # window not closed on time
        "reporting_last_report_timestamp_seconds",  # report not produced
        "up",  # service down
        "contentops_outbox_pending",  # outbox backlog
        "feedback_reply_sends_total",  # a reply not delivered on WeChat
        "feedback_stats_polls_total",  # WeChat statistics going stale
    }
    assert must <= covered, must - covered


def test_every_report_kind_on_a_schedule_has_a_staleness_alert() -> None:
    kinds = {k.value for k in ReportKind} - {"custom"}
    alerted = set()
    for r in rules():
        if "reporting_last_report_timestamp_seconds" in r["expr"]:
            alerted |= {v for _, v in label_matchers(r["expr"], "kind")}
    assert alerted == kinds
    weekly = next(r for r in rules() if 'kind="weekly"' in r["expr"] and "time()" in r["expr"])
    assert "8 * 86400" in weekly["expr"]


def test_the_dlq_alert_matches_every_dlq_and_nothing_else() -> None:
    main, dlq, retry = all_queue_names()
    expr = rule("ContentopsDeadLetterQueueNotEmpty")["expr"]
    assert "rabbitmq_queue_messages_ready" in expr
    matchers = label_matchers(expr, "queue")
    assert matchers
    assert all(selects(matchers, q) for q in dlq)
    assert not any(selects(matchers, q) for q in main | retry)


def test_the_consumer_alert_watches_every_service_queue_and_nothing_else() -> None:
    main, dlq, retry = all_queue_names()
    expr = rule("ContentopsQueueWithoutConsumer")["expr"]
    assert "rabbitmq_queue_consumers" in expr
    assert "== 0" in expr
    matchers = label_matchers(expr, "queue")
    assert all(selects(matchers, q) for q in main), "a service queue is not watched"
    assert not any(selects(matchers, q) for q in dlq | retry), "DLQs have no consumer"
    assert not selects(matchers, "amq.gen-123"), "only our queues"


def test_the_late_publish_alert_uses_a_real_bucket_at_the_tolerance() -> None:
    tolerance = float(default_of("publisher", "on_time_tolerance_seconds"))
    expr = rule("ContentopsPublishedLate")["expr"]
    (bound,) = {float(v) for _, v in label_matchers(expr, "le")}
    assert bound == tolerance
    from services.publisher.metrics import _LATENESS_BUCKETS

    assert bound in {float(b) for b in _LATENESS_BUCKETS}


# -- scrape config -----------------------------------------------------------------------
def test_prometheus_scrapes_every_service_and_rabbitmq_per_queue() -> None:
    config = load_one(PROMETHEUS / "prometheus.yml")
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    targets: dict[str, tuple[str, str]] = {}
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            for target in static["targets"]:
                targets[target] = (job["job_name"], job.get("metrics_path", "/metrics"))
    services = compose()["services"]
    for service in SERVICES:
        port = int(default_of(service, "http_port"))
        assert f"{service}:{port}" in targets, service
        assert targets[f"{service}:{port}"][1] == "/metrics"
        assert service in services
    assert targets["rabbitmq:15692"][1] == "/metrics/per-object"
    for job in config["scrape_configs"]:
        assert duration_seconds(job.get("scrape_interval", config["global"]["scrape_interval"]))


# -- Grafana -----------------------------------------------------------------------------
def test_grafana_provisioning_points_at_the_dashboard() -> None:
    (datasource,) = load_one(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")[
        "datasources"
    ]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    (provider,) = load_one(GRAFANA / "provisioning" / "dashboards" / "contentops.yml")["providers"]
    mounts = dict(
        v.split(":")[:2][::-1] for v in compose()["services"]["grafana"]["volumes"] if ":" in v
    )
    source = mounts[provider["options"]["path"]]
    assert (Path(PROMETHEUS.parent / "compose") / source / DASHBOARD.name).resolve() == (
        DASHBOARD.resolve()
    )


def test_dashboard_is_well_formed() -> None:
    data = dashboard()
    assert data["uid"]
    assert data["title"]
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"]: v for v in data["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    for panel in data["panels"]:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"


def test_dashboard_queries_are_balanced_and_name_real_metrics() -> None:
    for expr in dashboard_exprs():
        assert balanced(expr), expr
        unknown = {n for n in metric_names(expr) if not is_known_metric(n)}
        assert not unknown, f"{expr}: no such metric {unknown}"


def test_dashboard_covers_the_whole_pipeline() -> None:
    used: set[str] = set()
    for expr in dashboard_exprs():
        used |= metric_names(expr)
    must = {
        "contentops_drafts",  # drafts by state
        "review_pending",
        "review_overdue_pending",
        "publisher_publish_lateness_seconds_bucket",
        "publisher_slots_missed_total",
        "feedback_items_total",  # ingestion rate
        "feedback_enquiries_open",
        "rabbitmq_queue_messages_ready",  # DLQ depth
        "contentops_outbox_pending",
        "reporting_reports_produced_total",
        "faststream_received_processed_messages_total",
    }
    assert must <= used, must - used
    dlq_panels = [e for e in dashboard_exprs() if "rabbitmq_queue_messages_ready" in e]
    _, dlq, _ = all_queue_names()
    assert any(all(selects(label_matchers(e, "queue"), q) for q in dlq) for e in dlq_panels)


# -- promtool (`make test` installs it) ---------------------------------------------------
def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    # Fails rather than skips: a silent skip would leave the rules unchecked unnoticed.
    assert tool is not None, (
        "promtool is not installed: run `make infra-tools` (as root it installs Debian's "
        "prometheus package) or put promtool on PATH"
    )
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)


def test_promtool_accepts_the_rules() -> None:
    result = _promtool("check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_dashboard_queries(tmp_path: Path) -> None:
    recorded: list[dict[str, Any]] = [
        {"record": f"dashboard:q{i}", "expr": e.replace("$__rate_interval", "5m")}
        for i, e in enumerate(dashboard_exprs())
    ]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": recorded}]}))
    assert load_docs(path)
    result = _promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
