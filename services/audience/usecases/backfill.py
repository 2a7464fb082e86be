"""Back-fill the followers who came before the codes: ``user/get`` pages, ``user/info``
for each openid, resumable.

The cursor (the page's ``next_openid`` and how many of its openids are done) is saved
in the same transaction as the followers of each chunk, so a run stopped anywhere (a
WeChat failure, a restart) resumes where it stopped: nothing is looked up twice that
was stored, nothing is stored twice (a known openid is left as it is, and only a new
one is published, as ``follower.subscribed`` with ``via=backfill`` and WeChat's
``subscribe_time``). A follower's source comes from ``qr_scene_str`` (our codes) or
``subscribe_scene``.

Accounts (#12): each account has its own back-fill (cursor, lease, counts), run with the
account's app; its followers and events are the account's.
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
from shared.http import authorize
from shared.settings import Principal, Role
from shared.wechat.followers import FollowerInfo

__all__ = ["LEASE", "Cursor", "Run", "run_backfill", "run_backfill_loop", "start_backfill"]

_log = structlog.get_logger("audience.backfill")


class Run(StrEnum):
    IDLE = "idle"  # no back-fill running
    DONE = "done"
    PAUSED = "paused"  # the run's budget of chunks is spent; the next run goes on
    STOPPED = "stopped"  # WeChat failed; started again, it resumes


async def start_backfill(*, account: str, deps: AudienceDeps, actor: Principal) -> None:
    """Start (or resume, from the saved cursor) the account's back-fill."""
    account = deps.accounts.require(account).id
    authorize(actor, account, Role.DIRECTOR)
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> None:
        if not await tx.backfill.start(account, at=now):
            raise BackfillRunning(account)
        await tx.audit.record(
            actor, "backfill.start", "followers", at=now, details={"account": account}
        )

    await deps.uow.run(work)


def _follower(info: FollowerInfo, now: datetime, account: str) -> Follower:
    at = datetime.fromtimestamp(info.subscribe_time, UTC) if info.subscribe_time else now
    return Follower(
        openid=info.openid,
        subscribed=True,
        attribution=attribute(info.qr_scene_str, info.subscribe_scene),
        subscribed_at=at,
        via=FollowerVia.BACKFILL,
        account=account,
    )


@dataclass(frozen=True)
class Cursor:
    """Where the back-fill stands: the page's start, the openids of it done, the counts."""

    next_openid: str
    offset: int
    seen: int
    added: int
    pages: int


async def _store_chunk(
    account: str, infos: list[FollowerInfo], cursor: Cursor, deps: AudienceDeps
) -> int:
    now = deps.clock.now()

    async def work(tx: AudienceTx) -> int:
        added = 0
        for info in infos:
            if not info.subscribed:
                continue  # left between user/get and user/info
            follower = _follower(info, now, account)
            if not await tx.followers.insert_new(follower):
                continue
            a = follower.attribution
            assert follower.subscribed_at is not None
            event = FollowerSubscribed(
                occurred_at=follower.subscribed_at,
                producer=PRODUCER,
                account=account,
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
            account,
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


async def _hold(account: str, deps: AudienceDeps) -> bool:
    now = datetime.now(UTC)  # real time: a lease guards processes, not business time
    return await deps.backfill.claim(account, _OWNER, now=now, until=now + LEASE)


async def run_backfill(*, account: str, deps: AudienceDeps, max_chunks: int | None = None) -> Run:
    """Go on with the account's running back-fill, at most ``max_chunks`` chunks (all by
    default), with the account's app.

    One replica at a time: the run holds a lease on the back-fill (renewed with every
    chunk); a replica that dies leaves it to another once the lease runs out.
    """
    state = await deps.backfill.state(account)
    if state is None or state.get("status") != "running":
        return Run.IDLE
    if not await _hold(account, deps):
        return Run.IDLE
    next_openid = str(state.get("next_openid", ""))
    offset = int(state.get("offset", 0))
    seen, added, pages = (int(state.get(k, 0)) for k in ("seen", "added", "pages"))
    chunk = deps.settings.backfill_chunk
    chunks = 0
    try:
        async with wechat_of(deps.api(account), account) as api:
            while True:
                page = await api.followers(next_openid)
                if not page.openids:
                    break
                while offset < len(page.openids):
                    if max_chunks is not None and chunks >= max_chunks:
                        return Run.PAUSED
                    if not await _hold(account, deps):
                        return Run.IDLE  # another replica took it over
                    openids = page.openids[offset : offset + chunk]
                    infos = [await api.follower_info(openid) for openid in openids]
                    offset += len(openids)
                    seen += len(openids)
                    cursor = Cursor(next_openid, offset, seen, added, pages)
                    added += await _store_chunk(account, infos, cursor, deps)
                    chunks += 1
                pages += 1
                if not page.next_openid or page.next_openid == next_openid:
                    break
                next_openid, offset = page.next_openid, 0
                await deps.backfill.advance(
                    account,
                    next_openid=next_openid,
                    offset=0,
                    seen=seen,
                    added=added,
                    pages=pages,
                )
    except WeChatUnavailable as exc:
        _log.warning("backfill_stopped", account=account, error=str(exc), seen=seen)
        await deps.backfill.finish(account, at=deps.clock.now(), error=str(exc))
        return Run.STOPPED
    await deps.backfill.finish(account, at=deps.clock.now())
    _log.info("backfill_done", account=account, seen=seen, added=added, pages=pages)
    return Run.DONE


async def run_backfill_loop(*, deps: AudienceDeps) -> None:
    """Background: go on with each account's running back-fill (after a restart too),
    chunk by chunk; the accounts run side by side, so one account's long back-fill or
    slow WeChat does not hold up another's."""
    await deps.adopted.wait()

    async def one(account: str) -> Run:
        try:
            return await run_backfill(account=account, deps=deps, max_chunks=10)
        except Exception as exc:  # one account's trouble does not stop the others
            _log.warning("backfill_failed", account=account, error=repr(exc))
            return Run.STOPPED

    while True:
        accounts = [a for a in deps.accounts.ids if deps.api(a) is not None]
        outcomes = await asyncio.gather(*(one(account) for account in accounts))
        if Run.PAUSED not in outcomes:
            await asyncio.sleep(deps.settings.backfill_poll_seconds)
