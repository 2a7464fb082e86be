"""What happens when in a chaos run, drawn from the run's seed, and the measure of how soon
a slot's posts are all out after a publisher replica is killed at it."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDoc
from tests.chaos.api import DIRECTOR, Api
from tests.chaos.faults import Fault, Injector
from tests.chaos.workload import Workload

__all__ = ["ChaosScript", "SlotRecovery"]

RANDOM_KILLS = 3


@dataclass
class SlotRecovery:
    """A publisher replica killed at a slot, and how long until the slot was all out."""

    kind: str
    slot: datetime
    fault: Fault | None
    seconds: float | None = None  # from the kill to the slot's last post published

    def line(self, lease: float) -> str:
        if self.fault is None:
            return f"{self.kind}: no replica to kill at slot {self.slot:%H:%M}"
        if self.seconds is None:
            return f"{self.kind}: slot {self.slot:%H:%M} NOT all out"
        verdict = "within" if self.seconds <= lease + 5 else "NOT within"
        return (
            f"{self.kind}: slot {self.slot:%H:%M} all out {self.seconds:.1f} s after the kill "
            f"({verdict} the lease {lease:g} s + 5 s)"
        )


@dataclass
class ChaosScript:
    """The faults of one run, at moments relative to the slots (real time)."""

    injector: Injector
    api: Api
    workload: Workload
    db: AsyncDatabase[MongoDoc]
    slots: list[datetime]
    slot_real: list[float]  # time.time() of each slot
    rng: random.Random
    recoveries: list[SlotRecovery] = field(default_factory=list)
    _measures: list[asyncio.Task[None]] = field(default_factory=list)

    def plan(self) -> list[tuple[float, str, float]]:
        """``(when, what, seconds down)`` of every fault, drawn from the seed at once."""
        s1, s2, s3, s4 = self.slot_real
        rng = self.rng
        plan = [
            (s1 + rng.uniform(1.5, 3.5), "feedback-in-transaction"),
            (s1 + rng.uniform(5.0, 7.0), "store"),
            (s2 - 0.6, "publisher-in-transaction"),
            (s3 - 0.3, "publisher-submitting"),
            (s4 + rng.uniform(1.0, 4.0), "broker"),
        ]
        quiet = [(s2 - 1, s2 + 15), (s3 - 1, s3 + 15)]  # the measured slots
        while len(plan) < 5 + RANDOM_KILLS:
            at = rng.uniform(time.time() + 2, s4 + 12)
            if all(not a <= at <= b for a, b in quiet) and all(abs(at - t) > 3 for t, _ in plan):
                plan.append((at, "random"))
        return [(at, kind, rng.uniform(1.0, 3.0)) for at, kind in sorted(plan)]

    async def run(self) -> None:
        """Every fault at its own moment (one that takes long does not delay the next)."""
        await asyncio.gather(*(self._fire(at, kind, down) for at, kind, down in self.plan()))
        await self.injector.settled()
        await asyncio.gather(*self._measures)

    async def _fire(self, at: float, kind: str, down: float) -> None:
        injector = self.injector
        await asyncio.sleep(max(0.0, at - time.time()))
        if kind == "feedback-in-transaction":
            await injector.kill_in_transaction("feedback", down_for=down, within=4.0)
        elif kind == "store":
            await injector.restart_store(down_for=down)
        elif kind == "publisher-in-transaction":
            # within 20 s: after a store restart under load a slot can start late
            fault = await injector.kill_in_transaction("publisher", down_for=down, within=20.0)
            self._measure_from(kind, self.slots[1], fault)
        elif kind == "publisher-submitting":
            slot = self.slots[2]
            fault = await injector.kill_submitting(self.db, slot, down_for=down, within=20.0)
            self._measure_from(kind, slot, fault)
        elif kind == "broker":
            await injector.restart_broker()
        else:
            injector.kill_random(injector.fleet.replicas, down_for=down)

    def _measure_from(self, kind: str, slot: datetime, fault: Fault | None) -> None:
        self._measures.append(asyncio.create_task(self._measure(kind, slot, fault)))

    async def _measure(self, kind: str, slot: datetime, fault: Fault | None) -> None:
        """Poll the publisher's API (every 0.2 s, at most 120 s) until the slot is all out."""
        recovery = SlotRecovery(kind, slot, fault)
        self.recoveries.append(recovery)
        if fault is None:
            return
        expected = {d.draft_id for d in self.workload.ledger.approved if d.slot_at == slot}
        killed_at = self.injector.started + fault.at
        while time.monotonic() - killed_at < 120:
            with contextlib.suppress(Exception):
                posts = await self.api.every("publisher", "/posts", DIRECTOR, state="published")
                if {p["draft_id"] for p in posts} >= expected:
                    recovery.seconds = time.monotonic() - killed_at
                    print(f"  [chaos] {recovery.line(5.0)}", flush=True)
                    return
            await asyncio.sleep(0.2)
