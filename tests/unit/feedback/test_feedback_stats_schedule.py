"""WeChat statistics polls: the China-time schedule, the snapshot's date, the metric item."""

from __future__ import annotations

import time as system_time
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from services.feedback.domain.stats import (
    STATS_SOURCE,
    DayTotals,
    StatsTarget,
    china_date,
    metric_payload,
    next_poll_at,
    snapshot_received_at,
    stats_target,
)
from services.feedback.domain.window import Window
from services.feedback.settings import FeedbackSettings
from shared.events import Category, FeedbackKind, PostPublished, PostPublishedPayload

NINE = time(9, 0)
TOKENS = {"system-token-000000000001": {"subject": "crm", "roles": ["system"]}}
HASH = "0" * 64


def _published(at: datetime, *, channel: str = "wechat", **ids: str) -> PostPublished:
    return PostPublished(
        producer="publisher",
        correlation_id="p-1",
        occurred_at=at,
        payload=PostPublishedPayload(
            post_id="p-1",
            draft_id="d-1",
            title="个税汇算清缴全攻略",
            category=Category.FINANCE,
            channel=channel,
            channel_ids={"publish_id": "pub-1", **ids},
            published_at=at,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=at,
            lateness_seconds=0.0,
            content_hash=HASH,
        ),
    )


def _target(published_at: datetime, *, days: int = 7, **ids: str) -> StatsTarget | None:
    event = _published(published_at, **({"msg_data_id": "2247490098"} | ids))
    window = Window.open_for(event, length=timedelta(hours=24), now=published_at)
    return stats_target(window, days=days)


@pytest.fixture
def server_in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone is UTC (as in the containers): nothing may depend on it."""
    monkeypatch.setenv("TZ", "UTC")
    system_time.tzset()
    yield
    monkeypatch.undo()
    system_time.tzset()


@pytest.mark.usefixtures("server_in_utc")
def test_the_first_poll_is_the_next_china_day_at_the_poll_time() -> None:
    # 11:30 China on 23 Nov is 03:30 UTC
    target = _target(datetime(2026, 11, 23, 3, 30, tzinfo=UTC))

    assert target is not None
    assert target.ref_date == date(2026, 11, 23)
    assert target.first_poll(NINE) == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 China
    assert target.last_day == date(2026, 11, 30)


@pytest.mark.usefixtures("server_in_utc")
def test_the_publication_day_is_the_china_day_not_the_utc_day() -> None:
    # 22 Nov 17:30 UTC is already 23 Nov 01:30 in China
    target = _target(datetime(2026, 11, 22, 17, 30, tzinfo=UTC))

    assert target is not None
    assert target.ref_date == date(2026, 11, 23)
    assert target.first_poll(time(7, 15)) == datetime(2026, 11, 23, 23, 15, tzinfo=UTC)


def test_the_poll_index_is_wechats_1_based_article_number() -> None:
    first = _target(datetime(2026, 11, 23, 3, 30, tzinfo=UTC))
    third = _target(datetime(2026, 11, 23, 3, 30, tzinfo=UTC), index="2")

    assert first is not None
    assert (first.msg_data_id, first.article_index) == ("2247490098", 1)
    assert third is not None
    assert third.article_index == 3
    assert StatsTarget.from_payload(third.as_payload()) == third


def test_posts_wechat_did_not_publish_have_no_statistics() -> None:
    at = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    day = timedelta(hours=24)
    local = Window.open_for(_published(at, channel="local"), length=day, now=at)
    no_message = Window.open_for(_published(at), length=day, now=at)

    assert stats_target(local, days=7) is None
    assert stats_target(no_message, days=7) is None


def test_polls_repeat_daily_until_the_last_day_then_stop() -> None:
    target = _target(datetime(2026, 11, 23, 3, 30, tzinfo=UTC), days=2)
    assert target is not None
    day1 = datetime(2026, 11, 24, 1, 0, 5, tzinfo=UTC)  # just after 09:00 China, day 1
    day2 = datetime(2026, 11, 25, 1, 0, 5, tzinfo=UTC)

    assert next_poll_at(day1, target, NINE) == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert next_poll_at(day2, target, NINE) is None  # day 2 of 2 was the last


def test_a_poll_that_ran_late_lands_back_on_the_schedule() -> None:
    target = _target(datetime(2026, 11, 23, 3, 30, tzinfo=UTC), days=3)
    assert target is not None
    # a retry that ran at 00:30 China on day 2: day 2's poll is still ahead, that morning
    after_midnight = datetime(2026, 11, 25, 0, 30, tzinfo=timezone(timedelta(hours=8)))
    # a service that was down until the evening of the last day: nothing after it
    last_evening = datetime(2026, 11, 26, 22, 0, tzinfo=timezone(timedelta(hours=8)))

    assert next_poll_at(after_midnight, target, NINE) == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert next_poll_at(last_evening, target, NINE) is None


def test_a_snapshot_is_dated_at_the_end_of_its_china_day() -> None:
    at = snapshot_received_at(date(2025, 11, 1))

    assert at.isoformat() == "2025-11-01T23:59:59+08:00"
    assert at.astimezone(UTC) == datetime(2025, 11, 1, 15, 59, 59, tzinfo=UTC)
    assert china_date(at) == date(2025, 11, 1)
    assert snapshot_received_at(date(2025, 11, 2)) > at  # a later day supersedes


def _row(**counters: Any) -> DayTotals:
    return DayTotals(stat_date=date(2025, 11, 2), **counters)


def test_a_days_totals_become_a_metric_item_keyed_by_post_and_day() -> None:
    payload = metric_payload(_row(reads=4123, shares=35, likes=20), "p-1")

    assert payload is not None
    assert (payload.source, payload.source_id) == (STATS_SOURCE, "p-1:2025-11-02")
    assert payload.kind is FeedbackKind.METRIC
    assert payload.post_id == "p-1"
    assert payload.received_at == snapshot_received_at(date(2025, 11, 2))
    assert payload.metrics is not None
    assert (payload.metrics.reads, payload.metrics.likes, payload.metrics.shares) == (
        4123,
        20,
        35,
    )


def test_without_a_read_count_there_is_no_snapshot_and_other_gaps_are_zero() -> None:
    assert metric_payload(_row(shares=3), "p-1") is None
    payload = metric_payload(_row(reads=10), "p-1")
    assert payload is not None
    assert payload.metrics is not None
    assert (payload.metrics.likes, payload.metrics.shares) == (0, 0)


def _settings(**extra: Any) -> FeedbackSettings:
    return FeedbackSettings(api_tokens=TOKENS, **extra)


def test_statistics_need_the_app_credentials_and_can_be_turned_off() -> None:
    credentials = {"wechat_app_id": "wx1", "wechat_app_secret": "s3cr3t-value"}
    assert not _settings().stats_polling
    assert _settings(**credentials).stats_polling
    assert not _settings(**credentials, stats_enabled=False).stats_polling
    settings = _settings(stats_poll_time="07:30")
    assert (settings.stats_poll_time, settings.stats_poll_days) == (time(7, 30), 7)
    with pytest.raises(ValidationError, match="China wall-clock"):
        _settings(stats_poll_time="09:00+08:00")
