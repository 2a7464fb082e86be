"""Back-fill the followers who came before the codes: ``user/get`` pages, ``user/info``
for each openid, resumable.

The cursor (the page's ``next_openid`` and how many of its openids are done) is saved
in the same transaction as the followers of each chunk, so a run stopped anywhere (a
WeChat failure, a restart) resumes where it stopped: nothing is looked up twice that
was stored, nothing is stored twice (a known openid is left as it is, and only a new
one is published, as ``follower.subscribed`` with ``via=backfill`` and WeChat's
``subscribe_time``). A follower's source comes from ``qr_scene_str`` (our codes) or
``subscribe_scene``.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import structlog

from services.audience.deps import AudienceDeps
from services.audience.domain.followers import Change, Follower
from services.audience.domain.scenes import attribute
from services.audience.errors import BackfillRunning, WeChatUnavailable
from services.audience.ports import AudienceTx
from services.audience.usecases.receive_push import PRODUCER
from services.audience.usecases.wechat_calls import wechat_of
from shared.events import FollowerSubscribed, FollowerSubscribedPayload, FollowerVia
from shared.settings import Principal
from shared.wechat.followers import FollowerInfo

__all__ = ["LEASE", "Cursor", "Run", "run_backfill", "run_backfill_loop", "start_backfill"]

_log = structlog.get_logger("audience.backfill")


class Run(StrEnum):
    IDLE = "idle"  # no back-fill running
    DONE = "done"
    PAUSED = "paused"  # the run's budget of chunks is spent; the next run goes on
    STOPPED = "stopped"  # WeChat failed; started again, it resumes


async def start_backfill(*, deps: AudienceDeps, actor: Principal) -> None:
    """Start (or resume, from the saved cursor) the back-fill."""
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> None:
        if not await tx.backfill.start(at=now):
            raise BackfillRunning()
        await tx.audit.record(actor, "backfill.start", "followers", at=now)

    await deps.uow.run(work)


def _follower(info: FollowerInfo, now: datetime) -> Follower:
    at = datetime.fromtimestamp(info.subscribe_time, UTC) if info.subscribe_time else now
    return Follower(
        openid=info.openid,
        subscribed=True,
        attribution=attribute(info.qr_scene_str, info.subscribe_scene),
        subscribed_at=at,
        via=FollowerVia.BACKFILL,
    )


@dataclass(frozen=True)
class Cursor:
    """Where the back-fill stands: the page's start, the openids of it done, the counts."""

    next_openid: str
    offset: int
    seen: int
    added: int
    pages: int


async def _store_chunk(infos: list[FollowerInfo], cursor: Cursor, deps: AudienceDeps) -> int:
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        added = 0
        for info in infos:
            if not info.subscribed:
                continue  # left between user/get and user/info
            follower = _follower(info, now)
            if not await tx.followers.insert_new(follower):
                continue
            a = follower.attribution
            assert follower.subscribed_at is not None
            event = FollowerSubscribed(
                occurred_at=follower.subscribed_at,
                producer=PRODUCER,
                correlation_id=f"follower:{follower.openid}"[:128],
                payload=FollowerSubscribedPayload(
                    openid=follower.openid,
                    source=a.source,
                    branch_code=a.branch_code,
                    campaign_code=a.campaign_code,
                    scene=a.scene,
                    subscribed_at=follower.subscribed_at,
                    via=FollowerVia.BACKFILL,
                ),
            )
            await tx.followers.record_change(
                follower,
                Change.SUBSCRIBED,
                at=follower.subscribed_at,
                day=deps.china_day(follower.subscribed_at),
                event_id=str(event.event_id),
            )
            tx.emit(event)
            added += 1
        await tx.backfill.advance(
            next_openid=cursor.next_openid,
            offset=cursor.offset,
            seen=cursor.seen,
            added=cursor.added + added,
            pages=cursor.pages,
        )
        return added

    return await deps.uow.run(work)


_OWNER = uuid.uuid4().hex  # this process, as the holder of the back-fill's lease
LEASE = timedelta(seconds=60)


async def _hold(deps: AudienceDeps) -> bool:
    now = datetime.now(UTC)  # real time: a lease guards processes, not business time
    return await deps.backfill.claim(_OWNER, now=now, until=now + LEASE)


async def run_backfill(*, deps: AudienceDeps, max_chunks: int | None = None) -> Run:
    """Go on with a running back-fill, at most ``max_chunks`` chunks (all by default).

    One replica at a time: the run holds a lease on the back-fill (renewed with every
    chunk); a replica that dies leaves it to another once the lease runs out.
    """
    state = await deps.backfill.state()
    if state is None or state.get("status") != "running":
        return Run.IDLE
    if not await _hold(deps):
        return Run.IDLE
    next_openid = str(state.get("next_openid", ""))
    offset = int(state.get("offset", 0))
    seen, added, pages = (int(state.get(k, 0)) for k in ("seen", "added", "pages"))
    chunk = deps.settings.backfill_chunk
    chunks = 0
    try:
        async with wechat_of(deps.wechat) as api:
            while True:
                page = await api.followers(next_openid)
                if not page.openids:
                    break
                while offset < len(page.openids):
                    if max_chunks is not None and chunks >= max_chunks:
                        return Run.PAUSED
                    if not await _hold(deps):
                        return Run.IDLE  # another replica took it over
                    openids = page.openids[offset : offset + chunk]
                    infos = [await api.follower_info(openid) for openid in openids]
                    offset += len(openids)
                    seen += len(openids)
                    cursor = Cursor(next_openid, offset, seen, added, pages)
                    added += await _store_chunk(infos, cursor, deps)
                    chunks += 1
                pages += 1
                if not page.next_openid or page.next_openid == next_openid:
                    break
                next_openid, offset = page.next_openid, 0
                await deps.backfill.advance(
                    next_openid=next_openid, offset=0, seen=seen, added=added, pages=pages
                )
    except WeChatUnavailable as exc:
        _log.warning("backfill_stopped", error=str(exc), seen=seen)
        await deps.backfill.finish(at=deps.clock.now(), error=str(exc))
        return Run.STOPPED
    await deps.backfill.finish(at=deps.clock.now())
    _log.info("backfill_done", seen=seen, added=added, pages=pages)
    return Run.DONE


async def run_backfill_loop(*, deps: AudienceDeps) -> None:
    """Background: go on with a running back-fill (after a restart too), chunk by chunk."""
    while True:
        outcome = await run_backfill(deps=deps, max_chunks=10)
        if outcome is not Run.PAUSED:
            await asyncio.sleep(deps.settings.backfill_poll_seconds)
