"""Chaos (#11): the five services as real processes under kill -9, a store restart and a
broker restart, then an accounting from their APIs.

One run: its own RabbitMQ node and SecantusDB, drafting, review and reporting once, the
publisher three times and feedback twice, on an accelerated clock (``SPEED`` simulated
seconds per real second) with four slots an hour apart on Monday 2026-11-23. Editors
submit drafts for each slot, the reviewer approves three a slot and rejects one, and a CRM
sends feedback on every post once it is out (some of it twice). Meanwhile, at moments
drawn from the printed seed (``CHAOS_SEED`` repeats a run):

* a feedback replica is killed inside a transaction (its commit held by the store),
  while the first slot's feedback pours in;
* the store is killed and restarted;
* at the second slot, a publisher replica is killed inside a transaction; at the third,
  the replica submitting a post to the channel — for both, the time from the kill to the
  slot's last post published is measured against the publishing lease;
* the broker node is killed and restarted after the last slot;
* three more replicas of any service are killed at random moments.

Every killed process is started again. Then, within a bound: every accepted draft is in
its final state, every approved post is published exactly once, every accepted feedback
item is stored once, every window is closed once, and no dead-letter queue holds anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from demo.config import ZONE
from demo.feedback_bus import FeedbackBus
from services.publisher.settings import PublisherSettings
from shared.clock import AcceleratedClock
from shared.mongo import MongoDoc
from tests.chaos.accounting import dead_letters, settle
from tests.chaos.api import Api
from tests.chaos.faults import Injector
from tests.chaos.fleet import Fleet, wait_ready
from tests.chaos.rabbit_node import RabbitNode
from tests.chaos.report import summary
from tests.chaos.script import ChaosScript
from tests.chaos.store import ChaosStore
from tests.chaos.workload import Workload
from tests.support.services import make_settings, new_namespace, service_env

pytestmark = [pytest.mark.chaos]

SERVICES = ("drafting", "review", "publisher", "feedback", "reporting")
REPLICAS = {"drafting": 1, "review": 1, "publisher": 3, "feedback": 2, "reporting": 1}
SPEED = 240.0  # one simulated hour in 15 real seconds
SIM_START = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE)  # a Monday, when the fleet is spawned
# a slot every half hour: the run uses four, an hour apart, from the first one far enough
# ahead once every process is ready (start-up takes 30 s here, or 2 minutes under load)
SLOT_TIMES = tuple(f"{h:02d}:{m:02d}" for h in range(10, 24) for m in (0, 30))
SLOTS_USED = 4
SLOT_GAP = timedelta(hours=1)
LEAD = 20.0  # real seconds from readiness to the first slot used: drafts written, approved
PER_SLOT = 3
REJECTED_PER_SLOT = 1
FEEDBACK_PER_POST = 20
LEASE = 5.0  # the publisher's job lease, real seconds
WINDOW_HOURS = 1.0
# a slot is all out within the lease + this after a kill at it: well under the 60 s an
# orphaned transaction lived before (measured here: 8-24 s, with a load average of 10-30)
RECOVERED_WITHIN = 40.0
SETTLE_WITHIN = 150.0  # real seconds for the accounting to hold after the last fault


def _env(
    namespace: str, mongo_url: str, rabbit_url: str, real_epoch: float, tmp: Path
) -> dict[str, str]:
    per_service: dict[str, str] = {}
    for s in SERVICES:
        p = s.upper()
        per_service |= {
            f"{p}_OUTBOX_POLL_SECONDS": "0.2",
            f"{p}_RETRY_DELAY_MS": "2000",
            f"{p}_MAX_RETRIES": "60",  # 2 minutes: longer than an orphaned transaction lives
            f"{p}_SHUTDOWN_GRACE_SECONDS": "3",
        }
    return service_env(
        namespace,
        mongo_url,
        RABBIT_URL=rabbit_url,
        LOG_LEVEL="WARNING",
        CLOCK_MODE="accelerated",
        CLOCK_SIM_EPOCH=SIM_START.isoformat(),
        CLOCK_REAL_EPOCH=f"{real_epoch:.3f}",
        CLOCK_SPEED=f"{SPEED:g}",
        SLOT_TIMES=",".join(SLOT_TIMES),
        REVIEW_DEADLINE="08:30",  # before the first slot time, as review requires
        REVIEW_CUTOFF="09:00",
        REVIEW_LATE_POLICY="keep",  # a draft submitted after it keeps the slot it wished
        REVIEW_OVERDUE_POLL_SECONDS="1",
        PUBLISHER_POSTS_PER_SLOT=str(PER_SLOT),
        PUBLISHER_LOCAL_DIR=str(tmp / "published"),
        PUBLISHER_LOCAL_DELAY_SECONDS="0.5",  # the channel answers slowly: time to kill
        PUBLISHER_JOB_LEASE_SECONDS=f"{LEASE:g}",
        PUBLISHER_PREPARE_AHEAD_SECONDS="1",
        PUBLISHER_GRACE_SECONDS=f"{600 * SPEED:g}",  # never missed for being late here
        PUBLISHER_ON_TIME_TOLERANCE_SECONDS=f"{0.5 * SPEED:g}",
        PUBLISHER_POLL_MAX_SECONDS="0.1",
        PUBLISHER_RETRY_SECONDS="1",
        PUBLISHER_RECONCILE_INTERVAL_SECONDS="0.5",
        PUBLISHER_ESCALATE_UNKNOWN_AFTER_SECONDS="300",
        FEEDBACK_WINDOW_HOURS=f"{WINDOW_HOURS:g}",
        FEEDBACK_JOB_POLL_SECONDS="0.2",
        FEEDBACK_JOB_LEASE_SECONDS=f"{LEASE:g}",
        FEEDBACK_JOB_RETRY_SECONDS="1",
        FEEDBACK_ENQUIRY_SWEEP_SECONDS="2",
        REPORTING_SCHEDULE_POLL_SECONDS="1",
        REPORTING_JOB_POLL_SECONDS="1",
        **per_service,
    )


def _slots(now: datetime) -> list[datetime]:
    """The four slots the run uses: the first at least ``LEAD`` real seconds ahead."""
    day = SIM_START.date()
    calendar = [datetime.combine(day, wall_time.fromisoformat(t), tzinfo=ZONE) for t in SLOT_TIMES]
    first = next((c for c in calendar if c >= now + timedelta(seconds=LEAD * SPEED)), None)
    late = f"the services were ready only at {now:%H:%M} simulated: too late for four slots"
    assert first is not None, late
    slots = [first + n * SLOT_GAP for n in range(SLOTS_USED)]
    assert slots[-1] <= calendar[-1], late
    return slots


@contextlib.asynccontextmanager
async def _publisher_db(
    store: ChaosStore, namespace: str
) -> AsyncIterator[AsyncDatabase[MongoDoc]]:
    client = store.client()
    try:
        yield client[make_settings(PublisherSettings, namespace, store.url).database]
    finally:
        await client.close()


async def test_nothing_accepted_is_lost_when_replicas_store_and_broker_die(tmp_path: Path) -> None:
    seed = int(os.environ.get("CHAOS_SEED") or secrets.randbelow(1_000_000))
    rng = random.Random(seed)  # the faults: when, which, how long down
    run = os.environ.get("CHAOS_RUN", "1")
    print(f"\n== chaos run {run}: seed {seed} (CHAOS_SEED={seed} repeats it); files in {tmp_path}")
    t_start = time.monotonic()
    node = RabbitNode(tmp_path / "rabbit")
    store = ChaosStore(tmp_path / "store")
    fleet: Fleet | None = None
    try:
        node_up = await asyncio.to_thread(node.start)
        await asyncio.to_thread(store.start)
        print(f"  own broker node {node.name} :{node.port} ({node_up:.1f} s), store :{store.port}")
        namespace = new_namespace()
        real_epoch = time.time()
        fleet = Fleet(
            REPLICAS, _env(namespace, store.url, node.url, real_epoch, tmp_path), tmp_path / "logs"
        )
        fleet.start_all()
        await wait_ready(fleet.replicas, within=180)
        ready = time.monotonic() - t_start
        print(f"  {len(fleet.replicas)} service processes ready after {ready:.1f} s")

        clock = AcceleratedClock(sim_epoch=SIM_START, real_epoch=real_epoch, speed=SPEED)
        slots = _slots(clock.now())
        slot_real = [real_epoch + (s - SIM_START).total_seconds() / SPEED for s in slots]
        window_real = WINDOW_HOURS * 3600 / SPEED
        api = Api({s: fleet.urls(s) for s in SERVICES})
        bus = FeedbackBus(node.url, namespace, retry_for=60.0)
        await bus.connect()
        workload = Workload(
            api=api, bus=bus, clock=clock, slots=slots, per_slot=PER_SLOT,
            rejected_per_slot=REJECTED_PER_SLOT, feedback_per_post=FEEDBACK_PER_POST,
            rng=random.Random(seed + 1), run=namespace.rstrip("."),
        )  # fmt: skip
        injector = Injector(fleet=fleet, store=store, node=node, rng=rng)
        submitted = asyncio.Event()

        async def editors() -> None:
            try:
                await workload.write_and_submit()
            finally:
                submitted.set()

        async with _publisher_db(store, namespace) as db:
            script = ChaosScript(injector, api, workload, db, slots, slot_real, rng)
            feeders = [
                workload.feed_slot(slot, window_real=window_real, within=150) for slot in slots
            ]
            await asyncio.gather(
                editors(), workload.review_all(submitted, within=120), script.run(), *feeders
            )
        result, took = await settle(
            api, workload.ledger, tmp_path / "published", within=SETTLE_WITHIN
        )
        dlq = await dead_letters(node.url, namespace)
        await bus.close()
        await api.aclose()

        lines = summary(
            run=run,
            seed=seed,
            result=result,
            dead=dlq,
            faults=injector.faults,
            recoveries=script.recoveries,
            ledger=workload.ledger,
            lease=LEASE,
            timings={
                "services ready": ready,
                "settled after the chaos": took,
                "run": time.monotonic() - t_start,
            },
            retries={
                "HTTP transport errors": api.transport_errors,
                "broker publishes": bus.retries,
            },
        )
        print("\n".join(lines), flush=True)
        assert result.ok, "; ".join(result.problems)
        assert not dlq, f"dead-lettered: {dlq}"
        assert not workload.ledger.notes or all(
            "unconfirmed" in n for n in workload.ledger.notes
        ), workload.ledger.notes
        for recovery in script.recoveries:  # not the store's 60 s transaction lifetime
            assert recovery.fault is not None, f"{recovery.kind}: nothing was killed"
            assert recovery.seconds is not None, recovery.line(LEASE)
            assert recovery.seconds < LEASE + RECOVERED_WITHIN, recovery.line(LEASE)
    finally:
        if fleet is not None:
            await asyncio.to_thread(fleet.stop_all)
        await asyncio.to_thread(store.stop)
        await asyncio.to_thread(node.stop)
