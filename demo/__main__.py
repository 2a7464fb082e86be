"""``python -m demo``: run two weeks of the operations plan on the accelerated clock.

Usage::

    python -m demo env [--days 14] [--speed 4000] [--startup 20] [--out var/demo.env]
        write the environment of a fresh run (clock, namespace, service knobs)
    python -m demo [run] [--seed 7] [--max-articles N] [--max-days N]
        drive the scenario against services started with that environment
    python -m demo cleanup
        remove the queues, exchanges and databases of the run in the environment
        (its services stopped first); its files are kept

``make demo`` (``deploy/local/demo.sh``) does both and starts the services in between.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from pathlib import Path

from rich.console import Console

from demo.articles import load_articles
from demo.cleanup import remove_run
from demo.client import ApiClient, Tokens, service_urls
from demo.config import DEFAULT_DAYS, DEFAULT_SPEED, DemoPlan
from demo.feedback_bus import FeedbackBus
from demo.progress import DemoProgress
from demo.records import RunRecord
from demo.scenario import Scenario
from demo.summary import collect_summary, print_summary
from shared.settings import ServiceSettings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    env = sub.add_parser("env", help="write the environment of a fresh demo run")
    env.add_argument("--days", type=int, default=int(os.environ.get("DEMO_DAYS", DEFAULT_DAYS)))
    env.add_argument(
        "--speed", type=float, default=float(os.environ.get("DEMO_SPEED", DEFAULT_SPEED))
    )
    env.add_argument("--startup", type=float, default=20.0, help="real seconds before t0")
    env.add_argument("--run-dir", type=Path, default=None)
    env.add_argument("--out", type=Path, default=Path("var/demo.env"))
    run = sub.add_parser("run", help="drive the scenario (the default)")
    sub.add_parser("cleanup", help="remove a stopped run's queues, exchanges and databases")
    for p in (parser, run):
        p.add_argument("--seed", type=int, default=int(os.environ.get("DEMO_SEED", 7)))
        p.add_argument("--max-articles", type=int, default=None)
    return parser


def write_env(args: argparse.Namespace) -> int:
    if args.days < 1:
        raise SystemExit("--days must be at least 1")
    plan = DemoPlan.new(
        run_dir=args.run_dir, days=args.days, speed=args.speed, startup_seconds=args.startup
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{k}={shlex.quote(v)}" for k, v in plan.env().items()]
    args.out.write_text("# written by `python -m demo env`\n" + "\n".join(lines) + "\n")
    print(
        f"demo: namespace {plan.namespace}, {plan.days} days at x{plan.speed:g} "
        f"(about {plan.real_seconds / 60:.1f} min), artifacts in {plan.run_dir}"
    )
    return 0


async def _wait_ready(api: ApiClient, console: Console, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    for name in api.urls:
        while not await api.ready(name):
            if time.monotonic() > deadline:
                raise SystemExit(f"demo: {name} is not ready at {api.urls[name]}")
            await asyncio.sleep(0.2)
    console.print("demo: all five services are ready")


async def run(args: argparse.Namespace) -> int:
    console = Console()
    if not console.is_terminal:  # a log file: long lines rather than wrapped at 80
        console = Console(width=160)
    plan = DemoPlan.from_env()
    settings = ServiceSettings(service_name="demo")  # the same env the services read
    clock = settings.make_clock()
    urls = service_urls()
    api = ApiClient(urls, Tokens.load())
    bus = FeedbackBus(settings.rabbit_url, plan.namespace)
    articles = [a for a in load_articles() if a.day < len(plan.push_days)]
    if args.max_articles is not None:
        articles = articles[: args.max_articles]
    record = RunRecord(
        namespace=plan.namespace,
        run_dir=str(plan.run_dir),
        sim_start=plan.sim_start.isoformat(),
        days=plan.days,
        speed=plan.speed,
        seed=args.seed,
    )
    manifest = Path(plan.run_dir) / "manifest.json"
    progress = DemoProgress(clock, plan.sim_start, plan.report_due, console)
    try:
        await _wait_ready(api, console)
        await bus.connect()
        if clock.now() > plan.sim_start:
            console.print("[yellow]demo: the simulated clock started before the driver[/yellow]")
        scenario = Scenario(
            plan=plan,
            clock=clock,
            api=api,
            bus=bus,
            progress=progress,
            articles=articles,
            record=record,
            seed=args.seed,
        )
        async with progress.running():
            await scenario.run()
        tolerance = float(
            os.environ.get("PUBLISHER_ON_TIME_TOLERANCE_SECONDS", plan.on_time_tolerance_seconds)
        )
        record.summary = await collect_summary(api, record, tolerance)
        record.write(manifest)
        print_summary(console, record, urls, manifest)
    finally:
        record.write(manifest)
        await bus.close()
        await api.aclose()
    return 0


async def cleanup() -> int:
    settings = ServiceSettings(service_name="demo")
    try:
        removed = await remove_run(settings)
    except ValueError as exc:
        print(f"demo cleanup: {exc}", file=sys.stderr)
        return 2
    print(
        f"demo cleanup: {settings.namespace} removed ({removed.queues} queues, "
        f"{removed.exchanges} exchanges, {len(removed.databases)} databases)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "env":
        return write_env(args)
    if args.command == "cleanup":
        return asyncio.run(cleanup())
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
