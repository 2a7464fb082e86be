"""The last words of ``make demo``: what runs now, on which clock, and how to stop it.

``python -m demo status`` is run by ``deploy/local/demo.sh`` after the hand-over, with
the environment of ``var/demo.env``. It says what it finds, not what was intended: which
services answer ``/ready``, the clock they were started with (after the hand-over: real
speed from the simulated instant where the two weeks ended) and the time the reporting
service's own scheduler last read (``reporting_scheduler_tick_timestamp_seconds``), and
what keeps running after ``make stop`` (the store and RabbitMQ).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console

from demo.config import DemoPlan
from demo.progress import fmt_sim

__all__ = ["Infra", "ServiceClock", "ServicesState", "print_status", "read_infra", "read_state"]

TICK_METRIC = "reporting_scheduler_tick_timestamp_seconds"
CLOCK_DRIFT_WARN = 120.0
"""Seconds the reporting service's clock may differ from the hand-over clock (it looks
once a second at real speed) before the status warns."""


@dataclass(frozen=True)
class ServiceClock:
    """The clock the services run on, from their environment."""

    speed: float
    now: datetime
    since: datetime  # the simulated instant the clock started from (the hand-over)


@dataclass(frozen=True)
class Infra:
    """What ``make stop`` leaves running."""

    store: str | None  # "SecantusDB (pid 123, 127.0.0.1:27117)", or None when not running
    rabbit: bool


@dataclass(frozen=True)
class ServicesState:
    ready: dict[str, bool]
    reporting_tick: datetime | None  # the reporting service's own reading of its clock

    @property
    def all_ready(self) -> bool:
        return bool(self.ready) and all(self.ready.values())

    @property
    def none_ready(self) -> bool:
        return not any(self.ready.values())


def _tick(metrics_text: str) -> datetime | None:
    for line in metrics_text.splitlines():
        if line.startswith(TICK_METRIC + " "):
            value = float(line.split()[1])
            return datetime.fromtimestamp(value, UTC) if value > 0 else None
    return None


async def read_state(urls: Mapping[str, str]) -> ServicesState:
    """Ask every service whether it is ready, and the reporting service for its clock."""
    ready: dict[str, bool] = {}
    tick: datetime | None = None
    async with httpx.AsyncClient(timeout=3.0) as http:
        for name, url in urls.items():
            try:
                ready[name] = (await http.get(url + "/ready")).status_code == 200
            except httpx.HTTPError:
                ready[name] = False
        if ready.get("reporting"):
            try:
                tick = _tick((await http.get(urls["reporting"] + "/metrics")).text)
            except httpx.HTTPError:
                tick = None
    return ServicesState(ready=ready, reporting_tick=tick)


def read_infra(root: Path = Path("."), env: Mapping[str, str] | None = None) -> Infra:
    """The store make started (``var/run/secantus.pid``) and the broker, if they run."""
    env = os.environ if env is None else env
    store: str | None = None
    pidfile = root / "var/run/secantus.pid"
    if pidfile.is_file():
        pid = pidfile.read_text().strip()
        if pid.isdigit() and Path(f"/proc/{pid}").exists():
            store = f"存储 SecantusDB（pid {pid}，{env.get('MONGO_URL', '127.0.0.1:27117')}）"
    elif env.get("MONGO_URL"):
        store = f"存储（MONGO_URL={env['MONGO_URL']}，不由 make 启动或停止）"
    return Infra(store=store, rabbit=_port_open("127.0.0.1", 5672))


def _port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def print_status(
    console: Console,
    *,
    plan: DemoPlan,
    clock: ServiceClock,
    state: ServicesState,
    infra: Infra,
    urls: Mapping[str, str],
    after: str,
) -> None:
    """The final block: services and clock, how to explore, what keeps running, stopping."""
    realtime = clock.speed == 1
    ended = f"{plan.days} 天的模拟结束"
    if state.all_ready and realtime:
        console.rule(f"[bold]{ended}：服务以真实时间继续运行")
        console.print(
            f"时钟：从模拟时间 [bold]{fmt_sim(clock.since, seconds=True)}[/bold]"
            "（模拟结束、服务停下之处）起按真实速度（1 倍速）继续走，"
            f"现在是 {fmt_sim(clock.now, seconds=True)}。"
            "发布容差、宽限期和各轮询间隔已恢复为生产默认值。"
        )
        if state.reporting_tick is not None:
            drift = abs((state.reporting_tick - clock.now).total_seconds())
            line = f"报告服务自己的时钟读数：{fmt_sim(state.reporting_tick, seconds=True)}"
            if drift > CLOCK_DRIFT_WARN:
                console.print(f"[yellow]{line}，与上面相差 {drift:.0f} 秒：请检查服务日志[/yellow]")
            else:
                console.print(line)
        console.print(f"本次运行的数据在命名空间 {plan.namespace}，产出物在 {plan.run_dir}")
        for name, url in urls.items():
            console.print(f"  {name:<10} {url}/docs   （事件 {url}/asyncapi，指标 {url}/metrics）")
        console.print(
            "API 令牌见 var/local.env（TOKEN_EDITOR、TOKEN_REVIEWER、TOKEN_DIRECTOR…），"
            "请求头 Authorization: Bearer <token>。"
        )
    elif state.none_ready:
        how = "按要求（DEMO_AFTER=stop）" if after == "stop" else ""
        console.rule(f"[bold]{ended}：七个服务已{how}停止")
        console.print(
            f"模拟时钟停在 {fmt_sim(clock.since, seconds=True)}；本次运行的数据仍在命名空间 "
            f"{plan.namespace}，产出物在 {plan.run_dir}。"
        )
        console.print(
            "之后想以真实时间接着使用这次运行：DEMO=1 bash deploy/local/run.sh"
            "（时钟从停下处起按真实速度走，中间经过的时间也算在内）。"
        )
    else:
        down = ", ".join(name for name, ok in state.ready.items() if not ok)
        console.rule(f"[bold red]{ended}：部分服务没有运行")
        console.print(f"[red]未就绪：{down}；日志见 var/log/<服务>.log[/red]")
    _print_stopping(console, infra, running=not state.none_ready)


def _print_stopping(console: Console, infra: Infra, *, running: bool) -> None:
    """What ``make stop`` and ``make stop-all`` stop, and what keeps running."""
    still = [s for s in (infra.store, "RabbitMQ（127.0.0.1:5672）" if infra.rabbit else None) if s]
    console.rule("[bold]停止")
    if running:
        console.print("  make stop       停止这七个服务（var/run/ 中记录的进程）")
    if still:
        console.print(f"  仍会继续运行：{'；'.join(still)}")
    console.print("  make stop-all   停止七个服务和 make 启动的存储 SecantusDB")
    if infra.rabbit:
        console.print(
            "  RabbitMQ 是系统消息代理，make 不会停止它（其他程序也可能在用）；"
            "确实要停：sudo rabbitmqctl stop"
        )
    console.print(
        "  下次 make demo 会先停止这些服务，并删除本次运行的队列和数据库（产出物文件保留）"
        + ("；DEMO_AFTER=stop make demo 则在模拟结束后直接停止服务。" if running else "。")
    )
