"""Three publisher processes on the real broker and store; one is killed mid-submit."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from publisher_support import MONDAY, approval
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.publisher.settings import PublisherSettings
from shared.mongo import MongoDoc
from tests.support.backbone import emit, recording_runtime, wait_for
from tests.support.recording import CONSUMED
from tests.support.servers import free_port
from tests.support.services import make_settings, service_env, spawn_service

pytestmark = pytest.mark.integration

REPLICAS = 3
POSTS = 6
FIRE_IN = 7.0  # real seconds from spawning until the slot: start-up plus scheduling


@contextlib.contextmanager
def _replicas(
    env: dict[str, str], logs: Path
) -> Iterator[list[tuple[subprocess.Popen[bytes], int]]]:
    procs = []
    try:
        for i in range(REPLICAS):
            port = free_port()
            procs.append((spawn_service("publisher", env, logs / f"publisher-{i}.log", port), port))
        yield procs
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


async def _ready(port: int) -> bool:
    try:
        async with httpx.AsyncClient() as http:
            return (await http.get(f"http://127.0.0.1:{port}/ready", timeout=1)).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.asynccontextmanager
async def _store(mongo_url: str, namespace: str) -> AsyncIterator[AsyncDatabase[MongoDoc]]:
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        yield client[make_settings(PublisherSettings, namespace, mongo_url).database]
    finally:
        await client.close()


async def test_each_post_goes_out_once_when_a_replica_dies_while_submitting(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    published_dir = tmp_path / "published"
    env = service_env(
        namespace,
        mongo_url,
        CLOCK_MODE="accelerated",
        CLOCK_SIM_EPOCH=MONDAY.isoformat(),
        CLOCK_REAL_EPOCH=str(time.time() + FIRE_IN),
        CLOCK_SPEED="1",
        PUBLISHER_POSTS_PER_SLOT=str(POSTS),
        PUBLISHER_LOCAL_DIR=str(published_dir),
        PUBLISHER_LOCAL_DELAY_SECONDS="1",  # the channel answers slowly: time to kill
        PUBLISHER_JOB_LEASE_SECONDS="1.5",
        PUBLISHER_PREPARE_AHEAD_SECONDS="0.5",
        PUBLISHER_RECONCILE_INTERVAL_SECONDS="0.2",
        PUBLISHER_RETRY_SECONDS="0.5",
        OUTBOX_POLL_SECONDS="0.2",
    )
    review = recording_runtime("review", namespace, mongo_url)
    observer = recording_runtime("reporting", namespace, mongo_url)
    fire_at = time.time() + FIRE_IN
    with _replicas(env, tmp_path) as procs:
        async with contextlib.AsyncExitStack() as stack:
            for runtime in (review, observer):
                await runtime.start()
                stack.push_async_callback(runtime.stop)
            db = await stack.enter_async_context(_store(mongo_url, namespace))
            for _, port in procs:
                await wait_for(functools.partial(_ready, port), timeout=30, interval=0.1)

            await emit(review, *(approval(f"d-rep-{i}") for i in range(POSTS)))

            async def scheduled() -> bool:
                return bool(await db["posts"].count_documents({"state": "scheduled"}) == POSTS)

            await wait_for(scheduled, timeout=10, interval=0.05)
            assert time.time() < fire_at, "start-up took longer than FIRE_IN: raise it"

            # Kill the replica holding a post the channel has written but not yet answered
            # for: the post went out, its publisher never hears so.
            victim_post: dict[str, object] = {}

            async def written_but_unanswered() -> bool:
                async for post in db["posts"].find({"state": "submitting"}):
                    if list(published_dir.rglob(f"{post['_id']}.html")):
                        victim_post.update(post)
                        return True
                return False

            await wait_for(written_but_unanswered, timeout=FIRE_IN + 5, interval=0.02)
            job = await db["jobs"].find_one({"_id": victim_post["job_key"]})
            assert job is not None
            victim = int(str(job["owner"]).rsplit(":", 1)[1])
            assert victim in [p.pid for p, _ in procs]
            os.kill(victim, signal.SIGKILL)

            async def all_published() -> bool:
                return bool(await db["posts"].count_documents({"state": "published"}) == POSTS)

            try:
                await wait_for(all_published, timeout=20, interval=0.1)
            except AssertionError:
                states = {
                    p["_id"]: [h["action"] for h in p["history"]]
                    async for p in db["posts"].find({})
                }
                raise AssertionError(f"not all published: {states}") from None

            pages = sorted(p.name for p in published_dir.rglob("*.html"))
            assert pages == sorted(f"p-d-rep-{i}-r1.html" for i in range(POSTS))
            posts = {p["_id"]: p async for p in db["posts"].find({})}
            victim_history = [h["action"] for h in posts[victim_post["_id"]]["history"]]
            assert victim_history == ["scheduled", "submitting", "unknown", "published"]
            assert posts[victim_post["_id"]]["attempts"] == 1  # reconciled, never resubmitted
            for post in posts.values():
                after = [h["action"] for h in post["history"]][2:]
                # other posts of the killed replica: reconciled as published, or the channel
                # confirmed nothing had gone out and the post was sent once more
                assert after in (
                    ["published"],
                    ["unknown", "published"],
                    ["unknown", "not_published", "submitting", "published"],
                ), after
            for post in posts.values():
                assert post["lateness_seconds"] < 5
                assert timedelta(0) <= post["published_at"] - post["slot_at"] < timedelta(seconds=5)

            async def events_seen() -> bool:
                seen = await observer.db[CONSUMED].distinct(
                    "correlation_id", {"event_type": "post.published"}
                )
                return len(seen) == POSTS

            await wait_for(events_seen, timeout=15)
            assert await observer.db[CONSUMED].count_documents({"event_type": "post.failed"}) == 0
