"""A WeChat post's reads and shares, collected daily from WeChat's statistics (real HTTP
fake, real RabbitMQ and store): one snapshot per day, whatever the number of replicas."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from feedback_support import (
    APP_ID,
    APP_SECRET,
    ShiftedClock,
    drain,
    feedback_settings,
    post_published,
    probe,
    publish,
    replicas,
    service,
    store,
)

from services.feedback.domain.stats import china_date, poll_at, snapshot_received_at
from services.feedback.settings import FeedbackSettings
from shared.mongo import MongoDoc
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.support.backbone import wait_for
from tests.support.timing import WECHAT_TIMEOUT_SECONDS

pytestmark = pytest.mark.integration

DATACUBE = "/datacube/getarticletotaldetail"
SOURCE = "wechat_datacube"
MSG_DATA_ID = "2247480201"
NINE = time(9, 0)


def _settings(namespace: str, mongo_url: str, fake: FakeWeChat, **extra: Any) -> FeedbackSettings:
    return feedback_settings(
        namespace,
        mongo_url,
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_base_url=fake.base_url,
        wechat_timeout_seconds=WECHAT_TIMEOUT_SECONDS,
        stats_poll_days=2,
        stats_retry_seconds=0.2,
        job_retry_seconds=0.2,
        **extra,
    )


def _advance(clock: ShiftedClock, fake: FakeWeChat, delta: timedelta) -> None:
    """Move our clock and WeChat's together (WeChat's "today" decides what it serves)."""
    clock.advance(delta)
    fake.state.advance_time(delta.total_seconds())


def _advance_to(clock: ShiftedClock, fake: FakeWeChat, instant: datetime) -> None:
    _advance(clock, fake, instant - clock.now())


def _at_next(clock: ShiftedClock, fake: FakeWeChat, wall: time) -> datetime:
    """Both clocks at the next ``wall`` China time: the tests do not depend on the hour."""
    now = clock.now()
    instant = poll_at(china_date(now), wall)
    if instant <= now:
        instant = poll_at(china_date(now) + timedelta(days=1), wall)
    _advance_to(clock, fake, instant)
    return clock.now()


def _day(ref: date, n: int) -> datetime:
    """Just after the poll of day ``n`` after publication."""
    return poll_at(ref + timedelta(days=n), NINE) + timedelta(minutes=1)


async def _snapshots(items: Any, post_id: str) -> list[MongoDoc]:
    cursor = items.find({"source": SOURCE, "post_id": post_id}).sort("received_at", 1)
    docs: list[MongoDoc] = await cursor.to_list(None)
    return docs


async def test_a_wechat_post_gets_one_snapshot_a_day_from_two_replicas_for_reporting(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    async with running_fake_wechat() as fake:
        # published at 10:00 China: the window (24 h) is still open at the first poll (09:00)
        published_at = _at_next(clock, fake, time(10, 0))
        ref = china_date(published_at)
        settings = _settings(namespace, mongo_url, fake)
        async with (
            replicas(settings, clock, 2) as apps,
            probe(namespace, "feedback.received") as received,
        ):
            deps = service(apps[0]).deps
            raw = store(apps[0])
            items = raw.items
            await publish(
                namespace, post_published(post_id, at=published_at, msg_data_id=MSG_DATA_ID)
            )

            async def scheduled() -> bool:
                return await deps.jobs.get(f"stats-poll:{post_id}") is not None

            await wait_for(scheduled)
            job = await deps.jobs.get(f"stats-poll:{post_id}")
            assert job is not None
            assert job["due_at"] == poll_at(ref + timedelta(days=1), NINE)  # 09:00 China, T+1
            assert job["payload"]["article_index"] == 1  # comment/list's index 0
            assert job["payload"]["ref_date"] == ref.isoformat()

            # day 1: WeChat has the publication day's totals
            fake.state.add_article_stats(
                MSG_DATA_ID,
                1,
                ref,
                read_user=4123,
                share_user=35,
                like_user=20,
                read_finish_rate=0.61,  # a counter this code does not know
            )
            _advance_to(clock, fake, _day(ref, 1))

            async def first_stored() -> bool:
                return len(await _snapshots(items, post_id)) == 1

            await wait_for(first_stored)

            # the window ends after the first poll: its document has the reads
            _advance_to(clock, fake, published_at + timedelta(hours=24, minutes=1))

            async def issued() -> bool:
                return await raw.documents.count_documents({}) == 1

            await wait_for(issued)
            document = await raw.get_document(post_id)

            # day 2: higher totals, counted up to the day after publication
            fake.state.add_article_stats(
                MSG_DATA_ID,
                1,
                ref,
                stat_date=ref + timedelta(days=1),
                read_user=6020,
                share_user=51,
                like_user=33,
            )
            _advance_to(clock, fake, _day(ref, 2))

            async def second_stored() -> bool:
                return len(await _snapshots(items, post_id)) == 2

            await wait_for(second_stored)

            async def finished() -> bool:
                done = await deps.jobs.get(f"stats-poll:{post_id}")
                return done is not None and done["state"] == "done"

            await wait_for(finished)

            announced: list[dict[str, Any]] = []

            async def both_announced() -> bool:
                for message in await drain(received):
                    payload = json.loads(message.body)["payload"]
                    if payload["source"] == SOURCE:
                        announced.append(payload)
                return {p["source_id"] for p in announced} == {
                    f"{post_id}:{ref.isoformat()}",
                    f"{post_id}:{(ref + timedelta(days=1)).isoformat()}",
                }

            await wait_for(both_announced)
            first, second = await _snapshots(items, post_id)
            outbox = raw.db["outbox"]
            emitted = [
                json.loads(d["body"])["payload"]
                async for d in outbox.find({"event_type": "feedback.received"})
            ]
            polls = sum(
                service(app).runtime.registry.get_sample_value(
                    "feedback_stats_polls_total", {"outcome": "stored"}
                )
                or 0.0
                for app in apps
            )
            job = await deps.jobs.get(f"stats-poll:{post_id}")

    # one snapshot per counted day, with WeChat's numbers, dated at the end of its day
    assert (first["source_id"], second["source_id"]) == (
        f"{post_id}:{ref.isoformat()}",
        f"{post_id}:{(ref + timedelta(days=1)).isoformat()}",
    )
    assert first["kind"] == second["kind"] == "metric"
    assert first["metrics"] == {"reads": 4123, "likes": 20, "shares": 35}
    assert second["metrics"] == {"reads": 6020, "likes": 33, "shares": 51}
    assert first["received_at"] == snapshot_received_at(ref)
    assert second["received_at"] == snapshot_received_at(ref + timedelta(days=1))
    assert first["via"] == "poll"
    # the first is inside the still-open window; the second came after its close
    assert first["late"] is False
    assert second["late"] is True
    assert document is not None
    assert document["digest"]["headline"]["reads"] == 4123
    # announced once each for reporting (through the outbox, then on the broker)
    stats_events = [p for p in emitted if p["source"] == SOURCE]
    assert sorted(p["source_id"] for p in stats_events) == [
        first["source_id"],
        second["source_id"],
    ]
    assert all(p["kind"] == "metric" and p["post_id"] == post_id for p in stats_events)
    assert {p["source_id"]: p["metrics"]["reads"] for p in announced} == {
        first["source_id"]: 4123,
        second["source_id"]: 6020,
    }
    # two replicas, one poll a day: each day's snapshot stored once, then the job is done
    assert polls == 2
    assert job is not None
    assert job["state"] == "done"


async def test_numbers_not_final_yet_are_not_stored_and_asked_again(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    async with running_fake_wechat() as fake:
        published_at = _at_next(clock, fake, time(20, 0))
        ref = china_date(published_at)
        fake.state.add_article_stats(MSG_DATA_ID, 1, ref, read_user=900, is_delay=True)
        async with replicas(_settings(namespace, mongo_url, fake), clock) as [app]:
            deps = service(app).deps
            raw = store(app)
            registry = service(app).runtime.registry
            await publish(
                namespace, post_published(post_id, at=published_at, msg_data_id=MSG_DATA_ID)
            )

            async def scheduled() -> bool:
                return await deps.jobs.get(f"stats-poll:{post_id}") is not None

            await wait_for(scheduled)
            _advance_to(clock, fake, _day(ref, 1))

            async def asked_again() -> bool:
                return fake.state.calls[DATACUBE] >= 3

            await wait_for(asked_again)
            delayed_items = await _snapshots(raw.items, post_id)
            delayed = registry.get_sample_value(
                "feedback_stats_polls_total", {"outcome": "delayed"}
            )
            waiting = await deps.jobs.get(f"stats-poll:{post_id}")

            # WeChat finishes counting: the next retry, the same day, stores the day
            fake.state.add_article_stats(MSG_DATA_ID, 1, ref, read_user=1000, share_user=4)

            async def stored() -> bool:
                return len(await _snapshots(raw.items, post_id)) == 1

            await wait_for(stored)
            [snapshot] = await _snapshots(raw.items, post_id)
            job = await deps.jobs.get(f"stats-poll:{post_id}")

    assert delayed_items == []
    assert delayed is not None
    assert delayed >= 2
    assert waiting is not None
    assert china_date(waiting["due_at"]) == ref + timedelta(days=1)  # later the same day
    assert snapshot["metrics"] == {"reads": 1000, "likes": 0, "shares": 4}
    assert job is not None
    assert job["state"] == "pending"
    assert job["due_at"] == poll_at(ref + timedelta(days=2), NINE)  # then the next day


async def test_no_statistics_job_for_a_local_post_or_when_turned_off(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    local, wechat, off = (f"p-{uuid.uuid4().hex[:8]}" for _ in range(3))
    at = clock.now() - timedelta(seconds=5)
    async with running_fake_wechat() as fake:
        async with replicas(_settings(namespace, mongo_url, fake), clock) as [app]:
            deps = service(app).deps
            raw = store(app)
            await publish(
                namespace,
                post_published(local, at=at, channel="local"),
                post_published(wechat, at=at, msg_data_id=MSG_DATA_ID),
            )

            async def opened() -> bool:
                return await raw.windows.count_documents({}) == 2

            await wait_for(opened)
            local_job = await deps.jobs.get(f"stats-poll:{local}")
            wechat_job = await deps.jobs.get(f"stats-poll:{wechat}")

        turned_off = _settings(namespace, mongo_url, fake, stats_enabled=False)
        async with replicas(turned_off, clock) as [app]:
            deps = service(app).deps
            raw = store(app)
            await publish(namespace, post_published(off, at=at, msg_data_id="2247480202"))

            async def opened_too() -> bool:
                return await raw.get_window(off) is not None

            await wait_for(opened_too)
            off_job = await deps.jobs.get(f"stats-poll:{off}")
            comment_job = await deps.jobs.get(f"comment-poll:{off}")

    assert local_job is None
    assert wechat_job is not None
    assert off_job is None
    assert comment_job is not None  # the credentials are there: only statistics are off
