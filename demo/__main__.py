"""``python -m demo``: run two weeks of the operations plan on the accelerated clock.

Usage::

    python -m demo env [--days 14] [--speed 4000] [--startup 20] [--out var/demo.env]
        write the environment of a fresh run (clock, namespace, service knobs)
    python -m demo [run] [--seed 7] [--max-articles N]
        drive the scenario against services started with that environment
    python -m demo handover [--out var/demo.env]
        once the services have stopped: write the run's real-time environment (the
        clock goes on at speed 1 from the simulated instant it reads now)
    python -m demo status [--after realtime|stop]
        say what runs now, on which clock, and how to stop it
    python -m demo cleanup
        remove the queues, exchanges and databases of the run in the environment
        (its services stopped first); its files are kept

``make demo`` (``deploy/local/demo.sh``) runs them in turn and starts, stops and restarts
the services in between.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from demo.articles import load_articles
from demo.cleanup import remove_run
from demo.client import ApiClient, Tokens, service_urls
from demo.config import AFTER_MODES, DEFAULT_DAYS, DEFAULT_SPEED, TALENT, DemoPlan
from demo.feedback_bus import FeedbackBus
from demo.progress import DemoProgress, fmt_sim
from demo.promotion import Promotion, PromotionRecord
from demo.punctuality import Punctuality
from demo.records import RunRecord
from demo.scenario import Scenario
from demo.status import ServiceClock, print_status, read_infra, read_state
from demo.summary import collect_summary, print_summary
from demo.talent import TalentDesk
from shared.clock import Clock
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
    handover = sub.add_parser("handover", help="write the run's real-time environment")
    handover.add_argument("--out", type=Path, default=Path("var/demo.env"))
    status = sub.add_parser("status", help="what runs now, on which clock; how to stop")
    status.add_argument(
        "--after", choices=AFTER_MODES, default=os.environ.get("DEMO_AFTER", "realtime")
    )
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
    _write_env_file(args.out, plan.env(), "python -m demo env")
    print(
        f"demo: namespace {plan.namespace}, {plan.days} days at x{plan.speed:g} "
        f"(about {plan.real_seconds / 60:.1f} min), artifacts in {plan.run_dir}"
    )
    return 0


def _write_env_file(path: Path, env: dict[str, str], by: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    path.write_text(f"# written by `{by}`\n" + "\n".join(lines) + "\n")


def handover(args: argparse.Namespace) -> int:
    """Write the real-time environment of the run in the environment.

    Called once the services have stopped: the simulated instant read now is after
    everything they did, so their clock never goes back when they start again with it.
    """
    plan = DemoPlan.from_env()
    clock = ServiceSettings(service_name="demo").make_clock()
    sim_now, real_now = clock.now(), time.time()
    _write_env_file(args.out, plan.realtime_env(sim_now, real_now), "python -m demo handover")
    print(
        f"demo: 时钟交接：模拟时间 {fmt_sim(sim_now, seconds=True)} 起按真实速度（1 倍速）"
        f"继续（已写入 {args.out}）"
    )
    return 0


async def status(args: argparse.Namespace) -> int:
    plan = DemoPlan.from_env()
    settings = ServiceSettings(service_name="demo")
    urls = service_urls()
    state = await read_state(urls)
    clock = ServiceClock(
        speed=settings.clock_speed,
        now=settings.make_clock().now(),
        since=settings.clock_sim_epoch or plan.sim_start,
    )
    print_status(
        _console(),
        plan=plan,
        clock=clock,
        state=state,
        infra=read_infra(),
        urls=urls,
        after=args.after,
    )
    return 0 if state.all_ready or (args.after == "stop" and state.none_ready) else 1


def _console() -> Console:
    console = Console()
    if not console.is_terminal:  # a log file: long lines rather than wrapped at 80
        console = Console(width=160)
    return console


async def _wait_ready(api: ApiClient, console: Console, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    for name in api.urls:
        while not await api.ready(name):
            if time.monotonic() > deadline:
                raise SystemExit(f"demo: {name} is not ready at {api.urls[name]}")
            await asyncio.sleep(0.2)
    console.print("demo: the services are ready")


async def run(args: argparse.Namespace) -> int:
    console = _console()
    if DemoPlan.handed_over():
        raise SystemExit(
            "demo: this run was handed over to real time (DEMO_PHASE=realtime in "
            "var/demo.env); start a new run with `make demo`"
        )
    plan = DemoPlan.from_env()
    punctuality = Punctuality.of_run(plan)
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
            punctuality=punctuality,
        )
        talent = record.talent = RunRecord(
            namespace=plan.namespace,
            run_dir=str(plan.run_dir),
            sim_start=plan.sim_start.isoformat(),
            days=plan.days,
            speed=plan.speed,
            seed=args.seed,
            account=TALENT,
        )
        desk = TalentDesk(
            plan=plan,
            clock=clock,
            api=api,
            bus=bus,
            progress=progress,
            record=talent,
            seed=args.seed,
            punctuality=punctuality,
            at=scenario.at,
        )
        promotion = _promotion(plan, clock, api, progress, scenario, args.seed)
        async with progress.running():
            await asyncio.gather(
                scenario.run(),
                desk.run(),
                *(
                    [promotion[0].run(plan.days_simulated, set(plan.push_days))]
                    if promotion
                    else []
                ),
            )
        await desk.reports()
        if promotion:
            record.promotion = await _promotion_summary(api, plan, promotion[1])
        record.summary = await collect_summary(api, record, punctuality, plan)
        talent.summary = await collect_summary(desk.api, talent, punctuality, plan)
        record.write(manifest)
        print_summary(console, record, punctuality, manifest)
        if os.environ.get("DEMO_AFTER", "realtime") == "stop":
            console.print(
                f"{plan.days} 天的模拟结束。接下来 make demo 停止七个服务（DEMO_AFTER=stop）。"
            )
        else:
            console.print(
                f"{plan.days} 天的模拟结束。接下来 make demo 停止七个服务，再以真实时间重启它们："
                "时钟从停下处起按 1 倍速接着走（DEMO_AFTER=stop 则只停止）。"
            )
    finally:
        record.write(manifest)
        await bus.close()
        await api.aclose()
    return 0


def _promotion(
    plan: DemoPlan,
    clock: Clock,
    api: ApiClient,
    progress: DemoProgress,
    scenario: Scenario,
    seed: int,
) -> tuple[Promotion, PromotionRecord] | None:
    """The branches' promotion (#14), when the audience service has its push token."""
    token = os.environ.get("AUDIENCE_WECHAT_TOKEN")
    if not token or "audience" not in api.urls:
        return None
    record = PromotionRecord()
    return (
        Promotion(
            plan=plan,
            clock=clock,
            api=api,
            audience_url=api.urls["audience"],
            token=token,
            progress=progress,
            at=scenario.at,
            seed=seed,
            record=record,
        ),
        record,
    )


async def _promotion_summary(
    api: ApiClient, plan: DemoPlan, sent: PromotionRecord
) -> dict[str, Any]:
    """What the promotion pushed, and what the reporting service made of it."""
    last = plan.days_simulated[-1]
    summary = await api.followers_summary(plan.first_day.isoformat(), last.isoformat())
    return {"sent": dataclasses.asdict(sent), "summary": summary}


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
    if args.command == "handover":
        return handover(args)
    if args.command == "status":
        return asyncio.run(status(args))
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
