"""The benchmark harness: spreads, goals, result lines and what run_all reads."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter

from bench.support import harness
from bench.support.harness import RESULT_LINE, Goal, Spread, repeat, report
from bench.support.progress import family_total, window_around
from bench.support.rss import own_peak_mb, reset_peak


def test_spread_gives_the_median_with_min_and_max() -> None:
    spread = Spread((3.0, 1.0, 10.0))
    assert (spread.median, spread.low, spread.high) == (3.0, 1.0, 10.0)
    assert spread.describe("s") == "median 3s (min 1s, max 10s; 3 runs)"


@pytest.mark.parametrize(
    ("goal", "value", "met"),
    [
        (Goal(">=", 0.9, "x"), 0.9, True),
        (Goal(">=", 0.9, "x"), 0.89, False),
        (Goal("<", 0.1, "s"), 0.1, False),
        (Goal("<", 0.1, "s"), 0.099, True),
        (Goal("<=", 10, "x"), 10.0, True),
        (Goal("==", 0), 0.0, True),
        (Goal("==", 0), 1.0, False),
        (Goal(">=", 0.9), float("nan"), False),
    ],
)
def test_a_goal_judges_its_figure(goal: Goal, value: float, met: bool) -> None:
    assert goal.met(value) is met


def test_repeat_discards_the_warm_up_and_runs_the_same_measure_each_time() -> None:
    calls: list[str] = []
    values = iter([5.0, 1.0, 3.0])

    def warmup() -> None:
        calls.append("warm-up")

    def one_run() -> dict[str, float]:
        calls.append("run")
        return {"rate": next(values)}

    figures = repeat(one_run, warmup=warmup, runs=3)
    assert calls == ["warm-up", "run", "run", "run"]
    assert figures["rate"].samples == (5.0, 1.0, 3.0)
    assert figures["rate"].median == 3.0


def test_report_prints_the_result_line_judged_on_the_median(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(results))
    met = report("ingest.service_vs_store", Spread((0.46, 0.52, 0.95)), Goal(">=", 0.9, "x"))
    assert met is False  # the median, 0.52, not the best run
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "ingest.service_vs_store 0.52x goal >=0.9x NOT met"
    match = RESULT_LINE.match(last)
    assert match is not None
    assert match["verdict"] == "NOT met"
    record = json.loads(results.read_text())
    assert record["figure"] == "ingest.service_vs_store"
    assert (record["value"], record["min"], record["max"]) == (0.52, 0.46, 0.95)
    assert record["goal"] == ">=0.9x"
    assert record["met"] is False


def test_a_figure_without_a_goal_is_context(capsys: pytest.CaptureFixture[str]) -> None:
    assert report("consume.raw", 11348.0, unit=" msg/s") is None
    assert capsys.readouterr().out.splitlines()[-1] == "consume.raw 11348 msg/s (no goal)"


def test_quick_mode_picks_the_small_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "QUICK", True)
    assert harness.pick(100_000, 5_000) == 5_000
    monkeypatch.setattr(harness, "QUICK", False)
    assert harness.pick(100_000, 5_000) == 100_000


def test_counters_are_summed_over_matching_labels() -> None:
    registry = CollectorRegistry()
    items = Counter("feedback_items_total", "items", ["via", "outcome"], registry=registry)
    items.labels("amqp", "stored").inc(7)
    items.labels("http", "stored").inc(2)
    items.labels("amqp", "duplicate").inc(5)
    families = list(registry.collect())
    assert family_total(families, "feedback_items_total", via="amqp", outcome="stored") == 7
    assert family_total(families, "feedback_items_total", outcome="stored") == 9
    assert family_total(families, "feedback_items_total", via="am*") == 12


def test_the_peak_rss_grows_with_what_the_process_holds() -> None:
    if not reset_peak():
        pytest.skip("no /proc/self/clear_refs here")
    before = own_peak_mb()
    block = bytearray(64 * 1024 * 1024)  # touched: resident
    block[::4096] = b"x" * len(block[::4096])
    assert own_peak_mb() >= before + 60
    del block


async def test_the_window_opens_at_the_first_event_even_while_start_is_still_running() -> None:
    state = {"received": 0, "stored": 0}

    async def start() -> None:  # consumes from its first moments, returns much later
        await asyncio.sleep(0.05)
        state["received"] = 1
        await asyncio.sleep(0.3)

    async def finish() -> None:
        await asyncio.sleep(0.45)
        state["stored"] = 10

    async def begun() -> bool:
        return state["received"] > 0

    async def done() -> bool:
        return state["stored"] >= 10

    finishing = asyncio.create_task(finish())
    called = time.perf_counter()
    opened, closed = await window_around(start, begun=begun, done=done, timeout=5)
    await finishing
    assert opened - called < 0.2  # at the first event, not when start() returned (0.35 s)
    assert closed - opened >= 0.35
