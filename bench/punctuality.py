"""Benchmark: how punctually N publisher replicas publish M posts due at the same instant,
measured by the receiver of the posts.

Run: ``.venv/bin/python bench/punctuality.py [--replicas 3] [--posts 20] [--channel both]
[--accounts 20]`` (``BENCH_QUICK=1``: 5 posts, one run). Each run (after a discarded
warm-up of 2 posts; median, min and max over the runs) does a round per channel with the
same posts:

* ``local``: HTML pages and a signed webhook; the receiver is a webhook endpoint run as
  its own process (:mod:`bench.support.receivers`), which notes when each post arrives;
* ``wechat``: the fake WeChat server run as its own process behind the same arrival log,
  which notes when each ``freepublish/submit`` arrives;
* ``accounts`` (#12): ``--accounts`` official accounts (default 20, also in the quick
  mode: the case is "20 accounts x 1 post") with one post each, every account on the
  plan's calendar so all slots fall at the same instant; the local channel and its
  webhook receiver as above (each account's pages in its own folder). Each account has
  its own seat, jobs and job loop in every replica, so this measures that many accounts
  firing at one instant stay punctual and never double-post.

A round starts its replicas (``python -m services.publisher``) with an accelerated clock
at speed 1 whose Monday 11:30 slot falls ``BENCH_FIRE_IN`` seconds (default 15) after
start (a round whose posts were scheduled only after the slot measured start-up, not
punctuality: it is discarded and run again with a longer lead), sends the approvals as
``draft.approved`` events (``posts_per_slot`` = posts, all wishing that slot) and waits
until every post is published. Lateness is the receiver's arrival instant minus the
slot's instant (the same wall clock: one machine), not the ``lateness_seconds`` the
publisher reports for itself (printed beside it as context).
Duplicates: pages beyond one per post and webhook deliveries beyond one per post
(local), ``freepublish/submit`` calls beyond one per post (wechat).

Goals (#15): local p99 lateness under 0.1 s (also for the accounts round); 0 duplicates
on both channels and in the accounts round. Also prints the highest peak RSS of the
replicas (``VmHWM``, read before they stop).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
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

from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from bench.support.rss import peak_of  # noqa: E402
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
FIRE_IN = float(os.environ.get("BENCH_FIRE_IN", "15"))  # real s from spawning to the slot
ATTEMPTS = 3  # a round whose posts were scheduled after the slot is discarded and rerun
APP_SECRET = "bench-wechat-app-secret"
WEBHOOK_SECRET = "bench-webhook-secret-7f3a9c2e"
LOCAL_P99_GOAL = Goal("<", 0.1, "s")
DUPLICATES_GOAL = Goal("==", 0)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Result:
    channel: str
    lateness: list[float]  # as the receiver saw it
    reported: list[float]  # as the publisher reports it
    duplicates: int
    attempts: int
    unknown: int
    peak_mb: float


def account_ids(accounts: int) -> list[str]:
    """``default`` and ``acct-01`` ... (``accounts`` in all; 0: the default alone)."""
    return ["default", *(f"acct-{i:02d}" for i in range(1, accounts))]


def accounts_env(accounts: int) -> dict[str, str]:
    """``ACCOUNTS`` listing ``accounts`` accounts, all on the plan's calendar (one instant)."""
    if accounts <= 1:
        return {}
    specs = [{"id": account, "name": f"基准 {account}"} for account in account_ids(accounts)]
    return {"ACCOUNTS": json.dumps(specs, ensure_ascii=False)}


def approval(i: int, account: str = "default") -> DraftApproved:
    content = ContentSnapshot(
        title=f"基准测试 {i:02d}",
        category=Category.FINANCE,
        digest="准点发布基准",
        body_html=f"<p>第 {i} 篇。</p>",
        author="bench",
    )
    return DraftApproved(
        producer="review",
        account=account,
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
async def receiver(kind: str, workdir: Path) -> AsyncIterator[str]:
    """A receiver (:mod:`bench.support.receivers`) as a process; its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.support.receivers", kind, "--port", str(port)]
    argv += ["--secret", APP_SECRET]
    with processes([(argv, workdir / f"receiver-{kind}.log")]):
        base = f"http://127.0.0.1:{port}"
        await wait_for(functools.partial(answers, f"{base}/_bench/health"), timeout=30)
        yield base


async def channel_env(channel: str, base: str, published_dir: Path) -> dict[str, str]:
    """The publisher settings pointing at the receiver."""
    if channel == "local":
        return {
            "PUBLISHER_LOCAL_DIR": str(published_dir),
            "PUBLISHER_LOCAL_WEBHOOK_URL": f"{base}/hook",
            "PUBLISHER_LOCAL_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    async with WeChatClient("wx-fake-appid", APP_SECRET, base_url=base) as client:
        cover = await client.add_permanent_image(JPEG, "cover.jpg")
    return {
        "PUBLISHER_LOCAL_DIR": str(published_dir),
        "PUBLISHER_CHANNEL": "wechat",
        "PUBLISHER_WECHAT_APP_ID": "wx-fake-appid",
        "PUBLISHER_WECHAT_APP_SECRET": APP_SECRET,
        "PUBLISHER_WECHAT_BASE_URL": base,
        "PUBLISHER_WECHAT_DEFAULT_THUMB_MEDIA_ID": cover,
    }


class NotReadyInTime(Exception):
    """The replicas started, or the posts were scheduled, only after the slot: the round
    measures start-up, not punctuality."""

    def __init__(self, needed: float) -> None:
        super().__init__(f"the round needed {needed:.1f} s before the slot")
        self.needed = needed


class Lead:
    """Real seconds from spawning the replicas to the slot: ``BENCH_FIRE_IN`` at first,
    raised when a round needed more (a loaded machine starts processes slowly)."""

    seconds = FIRE_IN


async def run_round(
    channel: str, replicas: int, posts: int, mongo_url: str, accounts: int = 0
) -> Result:
    """One round; ``accounts`` > 1: that many accounts with one post each (``posts`` is
    then the number of accounts)."""
    label = "accounts" if accounts > 1 else channel
    for attempt in range(1, ATTEMPTS + 1):
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-punctuality-{label}-"))
        try:
            result = await _round(
                channel, replicas, posts, mongo_url, workdir, Lead.seconds, accounts=accounts
            )
        except NotReadyInTime as late:
            shutil.rmtree(workdir, ignore_errors=True)
            Lead.seconds = max(Lead.seconds * 2, late.needed * 1.5 + 5)
            note(
                f"  [{label}] round discarded ({late}); attempt {attempt} of {ATTEMPTS}, "
                f"the slot is now {Lead.seconds:.0f} s after spawning"
            )
            continue
        except BaseException:
            note(f"  [{label}] failed; logs kept in {workdir}")
            raise
        shutil.rmtree(workdir, ignore_errors=True)
        return result
    raise RuntimeError(f"[{label}] the replicas were never ready before the slot")


async def _round(
    channel: str,
    replicas: int,
    posts: int,
    mongo_url: str,
    workdir: Path,
    lead: float,
    *,
    accounts: int = 0,
) -> Result:
    label = "accounts" if accounts > 1 else channel
    owners = account_ids(posts) if accounts > 1 else ["default"] * posts
    namespace = new_namespace()
    published_dir = workdir / "published"
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(delete_namespace, namespace)
        kind = "webhook" if channel == "local" else "wechat"
        base = await stack.enter_async_context(receiver(kind, workdir))
        extra = await channel_env(channel, base, published_dir)
        spawned = time.time()
        fire_at = spawned + lead
        env = service_env(
            namespace,
            mongo_url,
            CLOCK_MODE="accelerated",
            CLOCK_SIM_EPOCH=SLOT.isoformat(),
            CLOCK_REAL_EPOCH=str(fire_at),
            CLOCK_SPEED="1",
            LOG_LEVEL="WARNING",
            PUBLISHER_POSTS_PER_SLOT="1" if accounts > 1 else str(posts),
            PUBLISHER_PUBLISH_CONCURRENCY=str(posts),
            **accounts_env(accounts),
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
        database = make_settings(PublisherSettings, namespace, mongo_url).database
        stack.push_async_callback(client.drop_database, database)
        db = client[database]
        for port in ports:
            await wait_for(functools.partial(answers, f"http://127.0.0.1:{port}/ready"), timeout=90)

        ready = fire_at - time.time()
        await emit(review, *(approval(i, owners[i]) for i in range(posts)))

        async def scheduled() -> bool:
            return bool(await db["posts"].count_documents({}) == posts)

        await wait_for(scheduled, timeout=lead + 60, interval=0.05)
        spare = fire_at - time.time()
        if spare < 0 or (await db["posts"].find_one({"slot_at": {"$ne": SLOT}})) is not None:
            raise NotReadyInTime(time.time() - spawned)

        async def all_published() -> bool:
            return bool(await db["posts"].count_documents({"state": "published"}) == posts)

        await wait_for(all_published, timeout=lead + 60, interval=0.1)
        await asyncio.sleep(1.0)  # a duplicate, were there one, would have time to show
        peak = max((peak_of(p.pid) or 0.0) for p in procs)
        docs = await db["posts"].find({}).to_list(None)
        reported = sorted(float(d["lateness_seconds"]) for d in docs)
        attempts = sum(int(d["attempts"]) for d in docs)
        unknown = sum(any(h["action"] == "unknown" for h in d["history"]) for d in docs)
        async with httpx.AsyncClient() as http:
            arrivals = (await http.get(f"{base}/_bench/arrivals")).json()
        first: dict[str, float] = {}
        for arrival in arrivals:
            first.setdefault(arrival["key"], float(arrival["at"]))
        if len(first) != posts:
            raise RuntimeError(f"the receiver saw {len(first)} posts of {posts}")
        lateness = sorted(at - fire_at for at in first.values())
        duplicates = len(arrivals) - posts
        if channel == "local":
            pages = Counter(p.name for p in published_dir.rglob("*.html"))
            duplicates += sum(count - 1 for count in pages.values())
            duplicates += max(0, len(pages) - posts)  # a page per post, no more
        if accounts > 1:  # each its own account, seat and (local) folder
            owned = {d["account"] for d in docs}
            if len(owned) != posts:
                raise RuntimeError(f"{posts} posts belong to {len(owned)} accounts, not {posts}")
        note(
            f"  [{label}] replicas ready {ready:.1f} s and posts scheduled {spare:.1f} s "
            "before the slot"
        )
        return Result(label, lateness, reported, duplicates, attempts, unknown, peak)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def one_run(
    channels: list[str], replicas: int, posts: int, mongo_url: str, accounts: int = 0
) -> dict[str, float]:
    figures: dict[str, float] = {}
    rounds = [(channel, posts, 0) for channel in channels]
    if accounts > 1:  # N accounts x 1 post, on the local channel
        rounds.append(("local", accounts, accounts))
    for channel, n, owners in rounds:
        r = await run_round(channel, replicas, n, mongo_url, accounts=owners)
        channel = r.channel
        figures |= {
            f"{channel}_p50": statistics.median(r.lateness),
            f"{channel}_p99": percentile(r.lateness, 99),
            f"{channel}_max": max(r.lateness),
            f"{channel}_self_p99": percentile(r.reported, 99),
            f"{channel}_duplicates": float(r.duplicates),
            f"{channel}_extra_attempts": float(r.attempts - n),
            f"{channel}_unknown": float(r.unknown),
            f"{channel}_peak_mb": r.peak_mb,
        }
    return figures


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--posts", type=int, default=pick(20, 5))
    parser.add_argument("--channel", choices=["local", "wechat", "both"], default="both")
    parser.add_argument(
        "--accounts",
        type=int,
        default=20,
        help="accounts with one post each at the same instant, local channel (0: no round)",
    )
    args = parser.parse_args(argv)
    channels = ["local", "wechat"] if args.channel == "both" else [args.channel]
    server = SecantusServer()
    server.start()
    note(f"{args.replicas} replicas, {args.posts} posts due at {SLOT} per channel: {channels}")
    if args.accounts > 1:
        note(f"and {args.accounts} accounts x 1 post due at {SLOT} (local channel)")
    try:
        f = await repeat_async(
            lambda: one_run(channels, args.replicas, args.posts, server.url, args.accounts),
            warmup=lambda: one_run(
                channels, args.replicas, min(2, args.posts), server.url, min(2, args.accounts)
            ),
        )
    finally:
        server.cleanup()
    labels = {channel: channel for channel in channels}
    if args.accounts > 1:
        labels["accounts"] = f"{args.accounts} accounts x 1 post (local)"
    for channel, title in labels.items():
        note(
            f"{title}: lateness at the receiver p50 {f[f'{channel}_p50'].describe('s')}; "
            f"max {f[f'{channel}_max'].describe('s')}; "
            f"as the publisher reports it, p99 {f[f'{channel}_self_p99'].describe('s')}; "
            f"extra attempts {sum(f[f'{channel}_extra_attempts'].samples):g}, "
            f"unknown outcomes {sum(f[f'{channel}_unknown'].samples):g} over the runs"
        )
        goal = LOCAL_P99_GOAL if channel in ("local", "accounts") else None
        report(
            f"punctuality.{channel}_p99",
            f[f"{channel}_p99"],
            goal,
            unit="s",
            label=f"{title}: p99 lateness at the receiver",
        )
        report(
            f"punctuality.{channel}_duplicates",
            sum(f[f"{channel}_duplicates"].samples),
            DUPLICATES_GOAL,
            label=f"{title}: duplicates, all runs together",
        )
        report(
            f"punctuality.{channel}_peak_rss",
            f[f"{channel}_peak_mb"].high,
            unit="MB",
            label=f"{title}: highest peak RSS of a publisher replica",
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
