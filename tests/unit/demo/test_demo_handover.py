"""After the two weeks: the same run on a real-speed clock from where the simulation ended,
and the status that says so (or that the services stopped) and how to stop everything."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from demo.config import DemoPlan
from demo.status import Infra, ServiceClock, ServicesState, _tick, print_status
from services.feedback.settings import FeedbackSettings
from services.publisher.settings import PublisherSettings
from services.reporting.settings import ReportingSettings
from shared.settings import ServiceSettings

TOKENS = json.dumps({"x" * 20: {"subject": "a", "roles": ["admin"]}})
SIM_END = datetime(2026, 12, 7, 10, 40, 12, tzinfo=UTC)  # Mon 18:40:12 China time


def _plan() -> DemoPlan:
    return DemoPlan.new(run_dir=Path("/tmp/demo-plan"), days=14, speed=4000)


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in {**env, "API_TOKENS": TOKENS}.items():
        monkeypatch.setenv(key, value)


def test_the_handover_clock_goes_on_at_real_speed_from_the_simulated_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan()
    real_now = time.time() - 30.0  # handed over 30 real seconds ago
    _use(monkeypatch, plan.realtime_env(SIM_END, real_now))
    clock = ServiceSettings(service_name="demo").make_clock()
    assert clock.speed == 1
    elapsed = (clock.now() - SIM_END).total_seconds()
    assert 30.0 <= elapsed < 35.0  # 30 real seconds are 30 simulated ones, not 120 000


def test_the_handover_is_the_same_run_with_the_production_knobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan()
    fast = plan.env()
    handed = plan.realtime_env(SIM_END, time.time())
    for key in (
        "CONTENTOPS_NAMESPACE",
        "DEMO_RUN_DIR",
        "PUBLISHER_CHANNEL",
        "PUBLISHER_LOCAL_DIR",
        "PUBLISHER_POSTS_PER_SLOT",
        "REPORTING_BIWEEKLY_ANCHOR",
    ):
        assert handed[key] == fast[key], key
    # every speed-scaled knob is left out, so the services' defaults apply
    scaled = set(fast) - set(handed)
    assert "PUBLISHER_ON_TIME_TOLERANCE_SECONDS" in scaled
    assert "PUBLISHER_GRACE_SECONDS" in scaled
    assert "FEEDBACK_JOB_POLL_SECONDS" in scaled
    for key in scaled:  # the services start from var/demo.env alone (demo.sh)
        monkeypatch.delenv(key, raising=False)
    _use(monkeypatch, handed)
    publisher, feedback, reporting = PublisherSettings(), FeedbackSettings(), ReportingSettings()
    defaults = PublisherSettings.model_fields
    assert publisher.on_time_tolerance_seconds == defaults["on_time_tolerance_seconds"].default
    assert publisher.grace_seconds == defaults["grace_seconds"].default
    assert feedback.job_poll_seconds == FeedbackSettings.model_fields["job_poll_seconds"].default
    assert reporting.biweekly_anchor == plan.biweekly_anchor
    # the run is still the same run, and it knows it was handed over
    assert DemoPlan.from_env() == plan
    assert DemoPlan.handed_over()
    assert not DemoPlan.handed_over(fast)


def test_the_handover_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        _plan().realtime_env(datetime(2026, 12, 7, 18, 40), time.time())


def _printed(**kw: object) -> str:
    console = Console(record=True, width=200)
    plan = _plan()
    defaults: dict[str, object] = {
        "plan": plan,
        "clock": ServiceClock(speed=1, now=SIM_END + timedelta(seconds=20), since=SIM_END),
        "infra": Infra(store="存储 SecantusDB（pid 42，127.0.0.1:27117）", rabbit=True),
        "urls": {"drafting": "http://127.0.0.1:8101", "reporting": "http://127.0.0.1:8105"},
        "after": "realtime",
    }
    print_status(console, **{**defaults, **kw})  # type: ignore[arg-type]
    return console.export_text()


def test_the_status_says_real_time_from_where_the_weeks_ended_and_how_to_stop_all() -> None:
    state = ServicesState(
        ready={"drafting": True, "reporting": True},
        reporting_tick=SIM_END + timedelta(seconds=19),
    )
    text = _printed(state=state)
    assert "14 天的模拟结束：服务以真实时间继续运行" in text
    assert "12-07 周一 18:40:12" in text
    assert "1 倍速" in text
    assert "报告服务自己的时钟读数：12-07 周一 18:40:31" in text
    assert "http://127.0.0.1:8101/docs" in text
    # what keeps running after `make stop`, and how to stop all
    assert "make stop " in text
    assert "仍会继续运行：存储 SecantusDB（pid 42，127.0.0.1:27117）；RabbitMQ" in text
    assert "make stop-all" in text
    assert "rabbitmqctl stop" in text


def test_the_status_warns_when_the_services_clock_is_not_the_handover_clock() -> None:
    state = ServicesState(
        ready={"drafting": True, "reporting": True},
        reporting_tick=SIM_END + timedelta(hours=5),  # still accelerated
    )
    assert "请检查服务日志" in _printed(state=state)


def test_the_status_says_stopped_when_asked_and_nothing_answers() -> None:
    state = ServicesState(ready={"drafting": False, "reporting": False}, reporting_tick=None)
    text = _printed(state=state, after="stop")
    assert "14 天的模拟结束：七个服务已按要求（DEMO_AFTER=stop）停止" in text
    assert "DEMO=1 bash deploy/local/run.sh" in text
    assert "make stop " not in text  # nothing of ours left for it to stop
    assert "make stop-all" in text
    assert "RabbitMQ" in text


def test_the_status_names_the_services_that_do_not_answer() -> None:
    state = ServicesState(ready={"drafting": True, "reporting": False}, reporting_tick=None)
    assert "未就绪：reporting" in _printed(state=state)


def test_the_reporting_tick_is_read_from_its_metrics() -> None:
    text = (
        "# HELP reporting_scheduler_tick_timestamp_seconds ...\n"
        "reporting_scheduler_tick_timestamp_seconds 1.7967672e+09\n"
    )
    assert _tick(text) == datetime.fromtimestamp(1.7967672e09, UTC)
    assert _tick("other 1\n") is None
