"""Benchmark: how punctually N publisher replicas publish M posts due at the same instant.

Run: ``.venv/bin/python bench/punctuality.py [--replicas 3] [--posts 20] [--channel both]``.

For each channel (``local``: HTML files; ``wechat``: the fake WeChat server run as a
process) it starts its own SecantusDB, uses a unique namespace on the running RabbitMQ,
spawns the replicas (``python -m services.publisher``) with an accelerated clock at
speed 1 whose Monday 11:30 slot falls a few seconds after start, sends the approvals as
``draft.approved`` events (``posts_per_slot`` = posts, all wishing that slot), and waits
until every post is published. Lateness is ``published_at - slot_at`` as each post
records it (the channel's own publication time). Duplicates: HTML pages beyond one per
post (local) or ``freepublish/submit`` calls beyond one per post (wechat); must be 0.
Target: p99 lateness under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.publisher.settings import PublisherSettings  # noqa: E402
from shared.events import (  # noqa: E402
    Category,
    ContentSnapshot,
    DraftApproved,
    DraftApprovedPayload,
)
from shared.wechat import WeChatClient  # noqa: E402
from tests.support.backbone import emit, recording_runtime, wait_for  # noqa: E402
from tests.support.servers import SecantusServer, free_port  # noqa: E402
from tests.support.services import (  # noqa: E402
    delete_namespace,
    make_settings,
    new_namespace,
    service_env,
    spawn_service,
)

SLOT = datetime(2026, 11, 23, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
FIRE_IN = 8.0  # real seconds from spawning the replicas to the slot
APP_SECRET = "bench-wechat-app-secret"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Result:
    channel: str
    lateness: list[float]
    duplicates: int
    attempts: int
    unknown: int


def approval(i: int) -> DraftApproved:
    content = ContentSnapshot(
        title=f"基准测试 {i:02d}",
        category=Category.FINANCE,
        digest="准点发布基准",
        body_html=f"<p>第 {i} 篇。</p>",
        author="bench",
    )
    return DraftApproved(
        producer="review",
        correlation_id=f"bench-{i}",
        occurred_at=datetime.now(UTC),
        payload=DraftApprovedPayload(
            draft_id=f"bench-{i}",
            revision=1,
            review_id=f"r-{i}",
            reviewer="rita",
            approved_at=datetime.now(UTC),
            content=content,
            content_hash=content.content_hash(),
            slot=SLOT,
        ),
    )


@contextlib.contextmanager
def processes(commands: list[tuple[list[str], Path]]) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for argv, log in commands:
            with open(log, "ab") as handle:
                procs.append(
                    subprocess.Popen(argv, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
                )
        yield procs
    finally:
        stop(procs)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


async def answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as http:
            return (await http.get(url, timeout=1)).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.asynccontextmanager
async def fake_wechat(workdir: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """The fake WeChat server as a process, and the publisher settings pointing at it."""
    port = free_port()
    argv = [sys.executable, "-m", "tests.fakes.wechat_server", "--port", str(port)]
    argv += ["--secret", APP_SECRET, "--log-level", "warning"]
    with processes([(argv, workdir / "fake-wechat.log")]):
        base = f"http://127.0.0.1:{port}"
        await wait_for(functools.partial(answers, f"{base}/_fake/health"), timeout=20)
        async with WeChatClient("wx-fake-appid", APP_SECRET, base_url=base) as client:
            cover = await client.add_permanent_image(JPEG, "cover.jpg")
        yield (
            base,
            {
                "PUBLISHER_CHANNEL": "wechat",
                "PUBLISHER_WECHAT_APP_ID": "wx-fake-appid",
                "PUBLISHER_WECHAT_APP_SECRET": APP_SECRET,
                "PUBLISHER_WECHAT_BASE_URL": base,
                "PUBLISHER_WECHAT_DEFAULT_THUMB_MEDIA_ID": cover,
            },
        )


async def run_round(channel: str, replicas: int, posts: int, mongo_url: str) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-punctuality-{channel}-"))
    try:
        result = await _round(channel, replicas, posts, mongo_url, workdir)
    except BaseException:
        print(f"  [{channel}] failed; logs kept in {workdir}")
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    return result


async def _round(channel: str, replicas: int, posts: int, mongo_url: str, workdir: Path) -> Result:
    namespace = new_namespace()
    published_dir = workdir / "published"
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(delete_namespace, namespace)
        extra: dict[str, str] = {"PUBLISHER_LOCAL_DIR": str(published_dir)}
        base = ""
        if channel == "wechat":
            base, extra = await stack.enter_async_context(fake_wechat(workdir))
        fire_at = time.time() + FIRE_IN
        env = service_env(
            namespace,
            mongo_url,
            CLOCK_MODE="accelerated",
            CLOCK_SIM_EPOCH=SLOT.isoformat(),
            CLOCK_REAL_EPOCH=str(fire_at),
            CLOCK_SPEED="1",
            LOG_LEVEL="WARNING",
            PUBLISHER_POSTS_PER_SLOT=str(posts),
            PUBLISHER_PUBLISH_CONCURRENCY=str(posts),
            **extra,
        )
        ports = [free_port() for _ in range(replicas)]
        procs = [
            spawn_service("publisher", env, workdir / f"publisher-{i}.log", port)
            for i, port in enumerate(ports)
        ]
        stack.callback(stop, procs)
        review = recording_runtime("review", namespace, mongo_url)
        await review.start()
        stack.push_async_callback(review.stop)
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
        stack.push_async_callback(client.close)
        db = client[make_settings(PublisherSettings, namespace, mongo_url).database]
        for port in ports:
            await wait_for(functools.partial(answers, f"http://127.0.0.1:{port}/ready"), timeout=60)

        ready = fire_at - time.time()
        await emit(review, *(approval(i) for i in range(posts)))

        async def scheduled() -> bool:
            return bool(await db["posts"].count_documents({}) == posts)

        await wait_for(scheduled, timeout=30, interval=0.05)
        spare = fire_at - time.time()
        if spare < 0 or (await db["posts"].find_one({"slot_at": {"$ne": SLOT}})) is not None:
            raise RuntimeError(f"scheduling ended {-spare:.1f} s after the slot: raise FIRE_IN")

        async def all_published() -> bool:
            return bool(await db["posts"].count_documents({"state": "published"}) == posts)

        await wait_for(all_published, timeout=FIRE_IN + 60, interval=0.1)
        await asyncio.sleep(1.0)  # a duplicate, were there one, would have time to show
        docs = await db["posts"].find({}).to_list(None)
        lateness = sorted(float(d["lateness_seconds"]) for d in docs)
        attempts = sum(int(d["attempts"]) for d in docs)
        unknown = sum(any(h["action"] == "unknown" for h in d["history"]) for d in docs)
        if channel == "wechat":
            async with httpx.AsyncClient() as http:
                state = (await http.get(f"{base}/_fake/state")).json()
            duplicates = sum(state["submits"].values()) - posts
        else:
            pages = list(published_dir.rglob("*.html"))
            duplicates = len(pages) - len({p.name for p in pages})
            duplicates += len({p.name for p in pages}) - posts  # a page per post, no more
        print(
            f"  [{channel}] replicas ready {ready:.1f} s and posts scheduled {spare:.1f} s "
            "before the slot"
        )
        return Result(channel, lateness, duplicates, attempts, unknown)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--channel", choices=["local", "wechat", "both"], default="both")
    args = parser.parse_args(argv)
    channels = ["local", "wechat"] if args.channel == "both" else [args.channel]
    server = SecantusServer()
    server.start()
    results = []
    try:
        for channel in channels:
            print(f"{channel}: {args.replicas} replicas, {args.posts} posts due at {SLOT}")
            results.append(await run_round(channel, args.replicas, args.posts, server.url))
    finally:
        server.cleanup()
    ok = True
    print()
    print("channel  posts  p50 s   p99 s   max s   duplicates  attempts  unknown")
    for r in results:
        p50, p99 = statistics.median(r.lateness), percentile(r.lateness, 99)
        print(
            f"{r.channel:<8} {len(r.lateness):>5}  {p50:6.3f}  {p99:6.3f}  {max(r.lateness):6.3f}"
            f"  {r.duplicates:>10}  {r.attempts:>8}  {r.unknown:>7}"
        )
        ok = ok and r.duplicates == 0 and p99 < 1.0
    print(json.dumps({"target_met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
