"""Run every benchmark that reports through the harness and print one table of figures.

Run: ``.venv/bin/python bench/run_all.py [NAME ...]`` (``make bench``; names such as
``ingest`` or ``norms.py`` pick benches; default: every ``bench/*.py``). A bench follows
the harness when it imports :mod:`bench.support.harness`; others are listed as skipped.
Each bench runs as its own process (its output shown as it goes) with ``BENCH_RESULTS``
set, so its result lines arrive here as JSON; ``BENCH_QUICK=1`` passes through (small N,
one run: a check that the benches work, not a measurement). ``BENCH_TIMEOUT`` bounds
each bench (seconds; default 5400, 900 in the quick mode).

Prints ``figure | value | goal | met`` for every figure (value: the median, with min and
max when there were several runs), then the benches that failed or were skipped. Exits
1 when a bench failed or timed out; a goal not met is printed, not an error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.support.harness import QUICK, note, number  # noqa: E402

HARNESS = "bench.support.harness"
ZONE = ZoneInfo("Asia/Shanghai")
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900" if QUICK else "5400"))


@dataclass
class Outcome:
    """One bench's run: its figures, or why it has none."""

    name: str
    seconds: float
    figures: list[dict[str, Any]]
    problem: str = ""


def discover(names: list[str]) -> tuple[list[Path], list[str]]:
    """The benches to run, and notes on the ones skipped."""
    wanted = {n.removesuffix(".py") for n in names}
    paths = [
        p
        for p in sorted(BENCH.glob("*.py"))
        if p.name != Path(__file__).name and (not wanted or p.stem in wanted)
    ]
    run = [p for p in paths if HARNESS in p.read_text(encoding="utf-8")]
    skipped = [f"{p.name}: does not report through {HARNESS}" for p in paths if p not in run]
    skipped += [f"{n}.py: no such bench" for n in sorted(wanted - {p.stem for p in paths})]
    return run, skipped


def run_one(path: Path) -> Outcome:
    with tempfile.NamedTemporaryFile(prefix="bench-results-", suffix=".jsonl") as results:
        env = {**os.environ, "BENCH_RESULTS": results.name}
        note(f"\n== {path.relative_to(ROOT)} ({china_now()})")
        started = time.monotonic()
        problem = ""
        try:
            code = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env, timeout=TIMEOUT)
            if code.returncode != 0:
                problem = f"exited with {code.returncode}"
        except subprocess.TimeoutExpired:
            problem = f"timed out after {TIMEOUT:.0f} s"
        seconds = time.monotonic() - started
        lines = Path(results.name).read_text(encoding="utf-8").splitlines()
    figures = [json.loads(line) for line in lines if line.strip()]
    if not figures and not problem:
        problem = "reported no figure"
    return Outcome(path.stem, seconds, figures, problem)


def china_now() -> str:
    return datetime.now(ZONE).strftime("%Y-%m-%d %H:%M:%S %Z (Asia/Shanghai)")


def value_cell(figure: dict[str, Any]) -> str:
    unit = figure["unit"]
    cell = f"{number(figure['value'])}{unit}"
    if figure["runs"] > 1 and figure["min"] != figure["max"]:
        cell += f" [{number(figure['min'])}-{number(figure['max'])}]"
    return cell


def table(outcomes: list[Outcome]) -> list[str]:
    rows = [("figure", "value [min-max]", "goal", "met")]
    for outcome in outcomes:
        for f in outcome.figures:
            met = "-" if f["met"] is None else ("met" if f["met"] else "NOT met")
            rows.append((f["figure"], value_cell(f), f["goal"] or "-", met))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return [line.rstrip() for line in lines]


def main(argv: list[str]) -> int:
    paths, skipped = discover(argv)
    started = time.monotonic()
    note(f"benches: {', '.join(p.name for p in paths) or 'none'}; started {china_now()}")
    if QUICK:
        note("BENCH_QUICK=1: small N, one run each - a check that they work, not measurements")
    outcomes = [run_one(p) for p in paths]
    note(f"\n== results ({china_now()}; {time.monotonic() - started:.0f} s in all)")
    if QUICK:
        note("(quick mode: not measurements)")
    for line in table(outcomes):
        note(line)
    goals = [f for o in outcomes for f in o.figures if f["met"] is not None]
    met = sum(1 for f in goals if f["met"])
    note(f"\ngoals met: {met} of {len(goals)}")
    for outcome in outcomes:
        state = f"FAILED: {outcome.problem}" if outcome.problem else "ok"
        note(f"  {outcome.name}: {outcome.seconds:.0f} s, {state}")
    for line in skipped:
        note(f"  skipped {line}")
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
