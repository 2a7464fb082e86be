"""Article statistics (``datacube/getarticletotaldetail``): lenient parsing, the call, T+1."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from shared.wechat import ArticleStats, InvalidRequest, WeChatClient
from shared.wechat._parse import article_stats_from_json
from tests.fakes.wechat_server import FakeWeChat

DATACUBE = "/datacube/getarticletotaldetail"
REF = date(2025, 11, 1)


def _answer(*entries: dict[str, Any], is_delay: bool = False) -> dict[str, Any]:
    return {"errcode": 0, "list": list(entries), "is_delay": is_delay}


def _entry(msgid: str, *rows: dict[str, Any], ref_date: str = "2025-11-01") -> dict[str, Any]:
    return {"ref_date": ref_date, "msgid": msgid, "publish_type": 0, "detail_list": list(rows)}


def test_msgid_is_split_into_the_message_and_its_1_based_index() -> None:
    page = article_stats_from_json(
        _answer(
            _entry("2247490098_1", {"stat_date": "2025-11-01", "read_user": 4123}),
            _entry("2247490098_2", {"stat_date": "2025-11-01", "read_user": 88}),
        ),
        REF,
    )

    first = page.find("2247490098", 1)
    second = page.find(2247490098, 2)
    assert first is not None
    assert (first.msg_data_id, first.index, first.ref_date) == ("2247490098", 1, REF)
    assert first.reads == 4123
    assert second is not None
    assert second.reads == 88
    assert page.find("2247490098", 0) is None  # the 0-based index of comment/list is not it
    assert page.ref_date == REF


def test_the_detail_row_with_the_latest_stat_date_is_taken_whatever_the_order() -> None:
    page = article_stats_from_json(
        _answer(
            _entry(
                "2247490098_1",
                {"stat_date": "2025-11-03", "read_user": 6000, "share_user": 50},
                {"stat_date": "2025-11-01", "read_user": 4123, "share_user": 35},
                {"stat_date": "2025-11-02", "read_user": 5200, "share_user": 41},
            )
        ),
        REF,
    )

    row = page.find("2247490098", 1)
    assert row == ArticleStats(
        msg_data_id="2247490098",
        index=1,
        ref_date=REF,
        stat_date=date(2025, 11, 3),
        reads=6000,
        shares=50,
        likes=None,
    )


def test_extra_fields_are_ignored_and_missing_counters_are_none() -> None:
    row = {
        "stat_date": "2025-11-01",
        "read_user": 4123,
        "read_user_source": [{"scene": 0, "user_source": 1}],
        "read_finish_rate": 0.5,
        "zaikan_user": 12,
        "some_future_counter": {"nested": True},
    }
    page = article_stats_from_json(
        {**_answer(_entry("2247490098_1", row)), "new_top_level": 1}, REF
    )

    found = page.find("2247490098", 1)
    assert found is not None
    assert (found.reads, found.shares, found.likes) == (4123, None, 12)  # 在看 for likes


def test_like_user_is_preferred_over_zaikan_user_and_numbers_may_come_as_text() -> None:
    row = {"stat_date": "2025-11-01", "read_user": "4123", "like_user": 30, "zaikan_user": 12}
    found = article_stats_from_json(_answer(_entry("2247490098_1", row)), REF).find("2247490098", 1)
    assert found is not None
    assert (found.reads, found.likes) == (4123, 30)


def test_unreadable_entries_are_skipped_not_fatal() -> None:
    good = _entry("2247490098_1", {"stat_date": "2025-11-01", "read_user": 1})
    page = article_stats_from_json(
        _answer(
            good,
            _entry("not-a-msgid", {"stat_date": "2025-11-01", "read_user": 2}),
            _entry("2247490098_0", {"stat_date": "2025-11-01", "read_user": 3}),
            _entry("2247490098_3"),  # no detail rows yet
            _entry("2247490098_4", {"stat_date": "someday", "read_user": 4}),
            {"msgid": "2247490098_5", "ref_date": "2025-11-01", "detail_list": "?"},
            "garbage",
        ),
        REF,
    )

    assert [(a.msg_data_id, a.index) for a in page.articles] == [("2247490098", 1)]
    assert article_stats_from_json({"list": None}, REF).articles == ()
    assert article_stats_from_json({}, REF).is_delay is False


def test_is_delay_marks_the_page_and_every_article() -> None:
    page = article_stats_from_json(
        _answer(
            _entry("2247490098_1", {"stat_date": "2025-11-01", "read_user": 10}), is_delay=True
        ),
        REF,
    )

    assert page.is_delay
    found = page.find("2247490098", 1)
    assert found is not None
    assert found.is_delay


# -- the call, against the fake over HTTP ---------------------------------------------------
async def test_article_stats_asks_for_one_day_and_reads_the_fakes_numbers(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    yesterday = fake.state.today() - timedelta(days=1)
    before = yesterday - timedelta(days=1)
    fake.state.add_article_stats(
        "2247490098", 1, before, stat_date=before, read_user=100, share_user=3, like_user=2
    )
    fake.state.add_article_stats(
        "2247490098", 1, before, stat_date=yesterday, read_user=250, share_user=9, like_user=5
    )
    fake.state.add_article_stats("2247490111", 1, yesterday, read_user=7)  # another day

    page = await client.article_stats(before)

    [article] = page.articles
    assert (article.msg_data_id, article.index) == ("2247490098", 1)
    assert (article.ref_date, article.stat_date) == (before, yesterday)
    assert (article.reads, article.shares, article.likes) == (250, 9, 5)
    assert not page.is_delay
    assert fake.state.calls[DATACUBE] == 1


async def test_a_day_is_counted_the_next_day_and_today_is_a_date_range_error(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    today = fake.state.today()
    yesterday = today - timedelta(days=1)
    fake.state.add_article_stats("2247490098", 1, yesterday, read_user=10, is_delay=True)
    fake.state.add_article_stats("2247490098", 1, yesterday, stat_date=today, read_user=99)

    page = await client.article_stats(yesterday)
    with pytest.raises(InvalidRequest) as info:
        await client.article_stats(today)

    [article] = page.articles  # today's row is not served before tomorrow
    assert (article.stat_date, article.reads) == (yesterday, 10)
    assert page.is_delay
    assert info.value.errcode == 61501
    assert fake.state.calls[DATACUBE] == 2  # a refusal is not retried


async def test_a_transient_failure_of_the_read_only_call_is_retried(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    yesterday = fake.state.today() - timedelta(days=1)
    fake.state.add_article_stats("2247490098", 1, yesterday, read_user=10)
    fake.state.inject(DATACUBE, "errcode", errcode=-1)

    page = await client.article_stats(yesterday)

    assert page.find("2247490098", 1) is not None
    assert fake.state.calls[DATACUBE] == 2
