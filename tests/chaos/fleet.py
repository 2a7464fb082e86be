"""The five services as real processes, several replicas of some, each on its own port.

Every replica runs ``python -m services.<name>`` (as ``deploy/local/run.sh`` does) with the
run's environment; :meth:`Fleet.kill` is ``kill -9``, :meth:`Fleet.restart` starts the same
replica again on the same port.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.servers import free_port
from tests.support.services import spawn_service

__all__ = ["Fleet", "Replica"]


@dataclass
class Replica:
    """One process of a service."""

    service: str
    index: int
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0
    starts: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.service}-{self.index}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


class Fleet:
    """The replicas of every service, started with one environment."""

    def __init__(self, replicas: dict[str, int], env: dict[str, str], logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.replicas = [
            Replica(service, i, free_port(), logs / f"{service}-{i}.log")
            for service, count in replicas.items()
            for i in range(count)
        ]

    def of(self, service: str) -> list[Replica]:
        return [r for r in self.replicas if r.service == service]

    def urls(self, service: str) -> list[str]:
        return [r.url for r in self.of(service)]

    def by_pid(self, pid: int) -> Replica | None:
        return next((r for r in self.replicas if r.pid == pid), None)

    def pids(self, service: str | None = None) -> list[int]:
        return [r.pid for r in self.replicas if r.pid and (service is None or r.service == service)]

    def start(self, replica: Replica) -> None:
        replica.proc = spawn_service(replica.service, self.env, replica.log, replica.port)
        replica.starts.append(time.monotonic())

    def start_all(self) -> None:
        for replica in self.replicas:
            self.start(replica)

    def kill(self, replica: Replica) -> int | None:
        """``kill -9`` of the replica; the pid it had (None when it was not running)."""
        pid = replica.pid
        if pid is None or replica.proc is None:
            return None
        os.kill(pid, signal.SIGKILL)
        replica.proc.wait(10)
        replica.kills += 1
        return pid

    async def restart(self, replica: Replica, *, within: float = 60.0) -> float:
        """Start a stopped replica again; the seconds until it answered ``/ready``."""
        started = time.monotonic()
        self.start(replica)
        await wait_ready([replica], within=within)
        return time.monotonic() - started

    def stop_all(self) -> None:
        for replica in self.replicas:
            if replica.pid is not None and replica.proc is not None:
                replica.proc.terminate()
        deadline = time.monotonic() + 20
        for replica in self.replicas:
            if replica.proc is None:
                continue
            try:
                replica.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                replica.proc.kill()
                replica.proc.wait(10)


async def wait_ready(replicas: list[Replica], *, within: float) -> None:
    """Until every replica answers ``/ready`` with 200 (bounded)."""
    deadline = time.monotonic() + within
    waiting = list(replicas)
    async with httpx.AsyncClient(timeout=2.0) as http:
        while waiting:
            for replica in list(waiting):
                if replica.proc is not None and replica.proc.poll() is not None:
                    tail = replica.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{replica.name} exited: {tail}")
                try:
                    if (await http.get(replica.url + "/ready")).status_code == 200:
                        waiting.remove(replica)
                except httpx.HTTPError:
                    pass
            if waiting and time.monotonic() > deadline:
                names = ", ".join(r.name for r in waiting)
                raise TimeoutError(f"not ready within {within:.0f} s: {names}")
            if waiting:
                await asyncio.sleep(0.25)
