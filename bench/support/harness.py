"""The one harness every benchmark uses: warm-up, repeated runs, spreads, goal lines.

A bench measures each *mode* (the service under test and its baseline, e.g. the store's
own ``insert_many``) on the same number of events in one *run*, in this process, and
returns the run's figures; :func:`repeat` (or :func:`repeat_async`) discards a warm-up,
runs it :data:`RUNS` times and gives each figure's median with min and max. Timers are
the bench's own and exclude start-up (they start at the first event handled). Results
are printed, never asserted::

    figures = repeat(one_run, warmup=small_run)
    report("norms.full_vs_bare", figures["ratio"], Goal("<=", 10, "x"))

prints a spread line and ``norms.full_vs_bare 6.3x goal <=10x NOT met``: the *result
line* ``<figure> <value> goal <goal> met|NOT met`` (:data:`RESULT_LINE` parses it).
When ``BENCH_RESULTS`` names a file, each result is also appended to it as one JSON
line (``bench/run_all.py`` reads them into its table).

``BENCH_QUICK=1`` is the quick mode (small N, one run) for checking that a bench works;
its figures are not measurements.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "QUICK",
    "RESULT_LINE",
    "RUNS",
    "Goal",
    "Spread",
    "note",
    "number",
    "pick",
    "repeat",
    "repeat_async",
    "report",
]

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RUNS = 1 if QUICK else max(3, int(os.environ.get("BENCH_RUNS", "3")))
RESULT_LINE = re.compile(
    r"^(?P<figure>\S+) (?P<value>\S+) goal (?P<goal>\S+) (?P<verdict>met|NOT met)$"
)

Op = Literal[">=", ">", "<=", "<", "=="]
Figures = Mapping[str, float]


def pick(full: int, quick: int) -> int:
    """``quick`` in the quick mode, else ``full``."""
    return quick if QUICK else full


@dataclass(frozen=True)
class Goal:
    """A figure's goal: ``op`` against ``threshold`` (e.g. ``Goal(">=", 0.9)``)."""

    op: Op
    threshold: float
    unit: str = ""

    def met(self, value: float) -> bool:
        if math.isnan(value):
            return False
        match self.op:
            case ">=":
                return value >= self.threshold
            case ">":
                return value > self.threshold
            case "<=":
                return value <= self.threshold
            case "<":
                return value < self.threshold
            case "==":
                return value == self.threshold
        raise ValueError(self.op)  # pragma: no cover - Literal covers every case

    def __str__(self) -> str:
        return f"{self.op}{self.threshold:g}{self.unit}"


@dataclass(frozen=True)
class Spread:
    """One figure over the runs: its median, min and max."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def describe(self, unit: str = "") -> str:
        runs = len(self.samples)
        if runs == 1:
            return f"{number(self.median)}{unit} (1 run)"
        return (
            f"median {number(self.median)}{unit} (min {number(self.low)}{unit}, "
            f"max {number(self.high)}{unit}; {runs} runs)"
        )


def number(value: float) -> str:
    """A figure rounded for reading (3 significant digits or so)."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == int(value) and abs(value) >= 1:
        return f"{int(value)}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def note(text: str) -> None:
    """A progress or context line (flushed: benches run for minutes under ``run_all``)."""
    print(text, flush=True)


def _collect(per_run: list[Figures]) -> dict[str, Spread]:
    names = list(per_run[0])
    return {name: Spread(tuple(float(run[name]) for run in per_run)) for name in names}


def _show_run(index: int, runs: int, figures: Figures) -> None:
    cells = ", ".join(f"{name} {number(value)}" for name, value in figures.items())
    note(f"  run {index}/{runs}: {cells}")


def repeat(
    one_run: Callable[[], Figures],
    *,
    warmup: Callable[[], object] | None = None,
    runs: int = RUNS,
) -> dict[str, Spread]:
    """Run ``warmup`` (discarded) then ``one_run`` ``runs`` times; each figure's spread."""
    if warmup is not None:
        started = time.perf_counter()
        warmup()
        note(f"  warm-up: {time.perf_counter() - started:.1f} s (discarded)")
    per_run: list[Figures] = []
    for index in range(1, runs + 1):
        per_run.append(one_run())
        _show_run(index, runs, per_run[-1])
    return _collect(per_run)


async def repeat_async(
    one_run: Callable[[], Awaitable[Figures]],
    *,
    warmup: Callable[[], Awaitable[object]] | None = None,
    runs: int = RUNS,
) -> dict[str, Spread]:
    """:func:`repeat` for asynchronous runs."""
    if warmup is not None:
        started = time.perf_counter()
        await warmup()
        note(f"  warm-up: {time.perf_counter() - started:.1f} s (discarded)")
    per_run: list[Figures] = []
    for index in range(1, runs + 1):
        per_run.append(await one_run())
        _show_run(index, runs, per_run[-1])
    return _collect(per_run)


def report(
    figure: str,
    value: Spread | float,
    goal: Goal | None = None,
    *,
    unit: str | None = None,
    label: str = "",
) -> bool | None:
    """Print ``figure`` (its spread, then the result line); whether its goal is met.

    The median is judged against the goal. Without a goal the figure is context only
    (``<figure> <value> (no goal)``). ``unit`` defaults to the goal's.
    """
    spread = value if isinstance(value, Spread) else Spread((float(value),))
    unit = unit if unit is not None else (goal.unit if goal else "")
    note(f"  {label or figure}: {spread.describe(unit)}")
    shown = f"{number(spread.median)}{unit}"
    met = goal.met(spread.median) if goal is not None else None
    if goal is None:
        note(f"{figure} {shown} (no goal)")
    else:
        note(f"{figure} {shown} goal {goal} {'met' if met else 'NOT met'}")
    _record(figure, spread, goal, unit, met)
    return met


def _record(figure: str, spread: Spread, goal: Goal | None, unit: str, met: bool | None) -> None:
    target = os.environ.get("BENCH_RESULTS")
    if not target:
        return
    line = {
        "bench": Path(sys.argv[0]).stem,
        "figure": figure,
        "value": spread.median,
        "min": spread.low,
        "max": spread.high,
        "runs": len(spread.samples),
        "unit": unit,
        "goal": str(goal) if goal else None,
        "met": met,
        "quick": QUICK,
    }
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
