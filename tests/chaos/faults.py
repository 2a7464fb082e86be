"""The faults of a chaos run: ``kill -9`` of replicas (at a random moment, while inside a
transaction, while a post is being submitted), the store killed and restarted, the
broker node killed and restarted. Whatever is killed is started again after a while;
every fault is recorded with its time since the run's start."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.mongo import MongoDoc
from tests.chaos.fleet import Fleet, Replica, wait_ready
from tests.chaos.rabbit_node import RabbitNode
from tests.chaos.store import ChaosStore

__all__ = ["Fault", "Injector"]

RESTART_WITHIN = 180.0  # a replica starts in 10-20 s here, in minutes on a loaded machine


@dataclass
class Fault:
    """One injected fault."""

    at: float  # real seconds since the run started
    kind: str
    target: str
    detail: str = ""
    back_after: float | None = None  # seconds until the target answered again

    def line(self) -> str:
        back = f", back after {self.back_after:.1f} s" if self.back_after is not None else ""
        return f"t={self.at:6.1f}s {self.kind:<22} {self.target:<12} {self.detail}{back}"


class Injector:
    """Injects faults and restarts what they killed."""

    def __init__(
        self, *, fleet: Fleet, store: ChaosStore, node: RabbitNode, rng: random.Random
    ) -> None:
        self.fleet = fleet
        self.store = store
        self.node = node
        self.rng = rng
        self.started = time.monotonic()
        self.faults: list[Fault] = []
        self._restarts: list[asyncio.Task[None]] = []
        self._down: set[str] = set()  # replicas killed and not yet back

    def now(self) -> float:
        return time.monotonic() - self.started

    def _record(self, kind: str, target: str, detail: str = "") -> Fault:
        fault = Fault(self.now(), kind, target, detail)
        self.faults.append(fault)
        print(f"  [chaos] {fault.line()}", flush=True)
        return fault

    # -- replicas ------------------------------------------------------------------------
    def kill(self, replica: Replica, kind: str, detail: str = "", *, down_for: float) -> Fault:
        pid = self.fleet.kill(replica)
        self._down.add(replica.name)
        fault = self._record(kind, replica.name, f"pid {pid} {detail}".strip())
        self._restarts.append(asyncio.create_task(self._restart(replica, fault, down_for)))
        return fault

    async def _restart(self, replica: Replica, fault: Fault, down_for: float) -> None:
        """Start the replica again, and again if it exits while starting (it cannot start
        while the broker or the store is away), as an orchestrator would; bounded."""
        await asyncio.sleep(down_for)
        started = time.monotonic()
        while True:
            self.fleet.start(replica)
            try:
                await wait_ready([replica], within=RESTART_WITHIN)
                break
            except RuntimeError:  # exited while starting
                if time.monotonic() - started > RESTART_WITHIN:
                    raise
                fault.detail += " (exited while starting: started again)"
                await asyncio.sleep(1.0)
        self._down.discard(replica.name)
        fault.back_after = down_for + time.monotonic() - started

    def _publisher_down(self) -> bool:
        return any(name.startswith("publisher-") for name in self._down)

    async def _no_publisher_down(self, within: float) -> None:
        """Two of the three publishers stay up: a kill at a slot measures how the others
        take over, not how long a restart takes on a loaded machine."""
        deadline = time.monotonic() + within
        while self._publisher_down() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    def kill_random(self, candidates: list[Replica], *, down_for: float) -> Fault | None:
        alive = [r for r in candidates if r.pid is not None and r.name not in self._down]
        if self._publisher_down():
            alive = [r for r in alive if r.service != "publisher"]
        if not alive:
            return None
        return self.kill(self.rng.choice(alive), "kill -9 (random)", down_for=down_for)

    async def kill_in_transaction(
        self, service: str, *, down_for: float, within: float
    ) -> Fault | None:
        """Hold ``service``'s next commit in the store and kill the replica that sent it:
        killed inside its transaction, which stays open with its locks."""
        if service == "publisher":
            await self._no_publisher_down(within)
        held = await self.store.hold_next_commit(
            service,
            [r.pid for r in self.fleet.of(service) if r.pid and r.name not in self._down],
            hold_ms=int((within + 5) * 1000),
            within=within,
        )
        if held is None:
            self._record("kill -9 in transaction", service, "no commit to hold in time")
            return None
        replica = self.fleet.by_pid(held.pid)
        assert replica is not None
        return self.kill(
            replica, "kill -9 in transaction", f"commit held on {held.connection}",
            down_for=down_for,
        )  # fmt: skip

    async def kill_submitting(
        self, db: AsyncDatabase[MongoDoc], slot_at: datetime, *, down_for: float, within: float
    ) -> Fault | None:
        """Kill the publisher replica that is submitting a post of the slot ``slot_at`` to the
        channel (its job's owner), between ``submitting`` and the channel's answer. It does
        not wait for a publisher still restarting (that takes minutes under load): one
        replica left is enough to take over."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                post = await db["posts"].find_one({"slot_at": slot_at, "state": "submitting"})
                job: dict[str, Any] | None = None
                if post is not None:
                    job = await db["jobs"].find_one({"_id": post["job_key"]})
            except PyMongoError:  # the store is away (another fault): look again
                post = job = None
            if post is not None and job is not None and job.get("owner"):
                pid = int(str(job["owner"]).rsplit(":", 1)[1])
                replica = self.fleet.by_pid(pid)
                if replica is not None and replica.name not in self._down:
                    return self.kill(
                        replica, "kill -9 submitting", f"post {post['_id']}", down_for=down_for
                    )  # fmt: skip
            await asyncio.sleep(0.02)
        self._record("kill -9 submitting", "publisher", "no post submitting in time")
        return None

    # -- the store and the broker ----------------------------------------------------------
    async def restart_store(self, *, down_for: float) -> Fault:
        await asyncio.to_thread(self.store.kill)
        fault = self._record("store kill -9", "secantusdb", f"down {down_for:.1f} s")
        await asyncio.sleep(down_for)
        started = time.monotonic()
        await asyncio.to_thread(self.store.start)
        fault.back_after = down_for + time.monotonic() - started
        return fault

    async def restart_broker(self) -> Fault:
        await asyncio.to_thread(self.node.kill)
        fault = self._record("broker node kill -9", self.node.name.split("@")[0])
        fault.back_after = await asyncio.to_thread(self.node.start)
        return fault

    async def settled(self) -> None:
        """Until every killed replica is back (each restart is bounded)."""
        await asyncio.gather(*self._restarts)
