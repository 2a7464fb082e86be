"""The pure rules behind the calendar, feedback, documents and reports pages: the grid of
a week or month with its holidays and slots, a live window's figures, the enquiry log's
order, the key figures and charts of a report, and the cleaning of a rendered document."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.gateway.pages._calendar_view import View, build_grid, shown_days, step
from services.gateway.pages._common import lateness_text
from services.gateway.pages._feedback_view import (
    customer_texts,
    enquiry_rows,
    live_window,
    themes_of,
)
from services.gateway.pages._report_view import bar_chart, key_figures, percent
from services.gateway.pages.documents import shown_document
from shared.calendar import DayKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai


def _slot(day: str, free: int = 1, posts: list[dict[str, str]] | None = None) -> dict[str, object]:
    local = datetime.fromisoformat(f"{day}T11:30:00+08:00")
    return {
        "key": f"publish:{day}T11:30+08:00",
        "at": local.astimezone(UTC).isoformat(),
        "local": local.isoformat(),
        "capacity": 1,
        "free": free,
        "posts": posts or [],
    }


# -- calendar --------------------------------------------------------------------------
def test_a_week_runs_monday_to_sunday_and_a_month_covers_whole_weeks() -> None:
    assert shown_days(View.WEEK, date(2026, 11, 26)) == (date(2026, 11, 23), date(2026, 11, 29))
    first, last = shown_days(View.MONTH, date(2026, 11, 15))
    assert (first, last) == (date(2026, 10, 26), date(2026, 12, 6))
    assert first.weekday() == 0
    assert last.weekday() == 6


def test_stepping_moves_a_week_or_a_month_across_the_year_end() -> None:
    assert step(View.WEEK, date(2026, 12, 28), 1) == date(2027, 1, 4)
    assert step(View.MONTH, date(2026, 12, 15), 1) == date(2027, 1, 1)
    assert step(View.MONTH, date(2026, 1, 15), -1) == date(2025, 12, 1)


def test_slots_sit_on_their_local_day_with_their_posts() -> None:
    post = {"post_id": "p-1", "title": "个税", "state": "scheduled"}
    slots = [_slot("2026-11-23", 0, [post]), _slot("2026-11-25"), _slot("2026-11-27")]
    grid = build_grid(
        View.WEEK, date(2026, 11, 24), slots, zone=SHANGHAI, today=date(2026, 11, 23), lang="zh-CN"
    )
    cells = {c.day: c for c in grid.weeks[0]}
    assert [s["posts"] for s in cells[date(2026, 11, 23)].slots] == [[post]]
    assert len(cells[date(2026, 11, 25)].slots) == 1
    assert cells[date(2026, 11, 24)].slots == []
    assert cells[date(2026, 11, 23)].today
    assert grid.slot_count == 3


def test_holidays_and_adjusted_workdays_are_named_in_the_readers_language() -> None:
    grid = build_grid(
        View.MONTH, date(2026, 10, 1), [], zone=SHANGHAI, today=date(2026, 10, 9), lang="zh-CN"
    )
    cells = {c.day: c for week in grid.weeks for c in week}
    national = cells[date(2026, 10, 1)]
    assert national.kind is DayKind.HOLIDAY
    assert national.holiday == "国庆节"
    workday = next(c for c in cells.values() if c.kind is DayKind.ADJUSTED_WORKDAY)
    assert workday.holiday is not None
    assert workday.holiday.endswith("调休")
    assert cells[date(2026, 10, 13)].holiday is None
    english = build_grid(
        View.WEEK, date(2026, 10, 1), [], zone=SHANGHAI, today=date(2026, 10, 1), lang="en"
    )
    assert {c.holiday for c in english.weeks[0]} >= {"National Day"}


def test_days_outside_the_month_are_shown_but_marked() -> None:
    grid = build_grid(
        View.MONTH, date(2026, 11, 1), [], zone=SHANGHAI, today=date(2026, 11, 1), lang="en"
    )
    first_row = grid.weeks[0]
    assert first_row[0].day == date(2026, 10, 26)
    assert not first_row[0].in_range
    assert first_row[6].in_range  # Sunday 1 November


# -- posts -----------------------------------------------------------------------------
def test_lateness_reads_in_seconds_minutes_and_hours() -> None:
    assert lateness_text(0.4, "zh-CN") == "晚 0.4 秒"
    assert lateness_text(185, "en") == "late by 3 min 5 s"
    assert lateness_text(3 * 3600 + 60, "zh-CN") == "晚 3 小时 1 分 0 秒"
    assert lateness_text(-2, "en") == "early by 2.0 s"
    assert lateness_text(None, "en") == ""


# -- feedback --------------------------------------------------------------------------
def _item(kind: str, text: str, **annotation: object) -> dict[str, object]:
    return {"kind": kind, "text": text, "annotation": {"sentiment": "neutral", **annotation}}


def test_a_live_window_counts_by_kind_and_quotes_customers_never_spam() -> None:
    window = {"state": "open", "ends_at": (NOW + timedelta(hours=20)).isoformat()}
    items = [
        _item("comment", "请问怎么办理？", question=True),
        _item("comment", "加微信领资料", spam=True),
        _item("message", "很有用", sentiment="positive"),
        _item("reply", "您好，已回复"),
        _item("comment", "看不懂", sentiment="negative"),
    ]
    live = live_window(window, {"comment": 3, "message": 1, "reply": 1}, items, now=NOW)
    assert live.counts == {"comment": 3, "message": 1, "reply": 1, "metric": 0}
    assert live.total == 5
    assert live.spam == 1
    assert [i["text"] for i in live.questions] == ["请问怎么办理？"]
    assert "加微信领资料" not in [i["text"] for i in live.latest]
    assert "您好，已回复" not in [i["text"] for i in live.latest]
    assert live.sentiment == {"positive": 1, "neutral": 1, "negative": 1}
    assert live.seconds_left == 20 * 3600


def test_a_closed_window_has_no_time_left() -> None:
    window = {"state": "closed", "ends_at": NOW.isoformat()}
    assert live_window(window, {}, [], now=NOW).seconds_left is None


def test_the_enquiry_log_puts_the_nearest_deadline_first_and_warns_near_twelve_hours() -> None:
    def enquiry(name: str, state: str, hours_left: float, answered: str = "") -> dict[str, str]:
        return {
            "id": name,
            "state": state,
            "deadline": (NOW + timedelta(hours=hours_left)).isoformat(),
            "answered_at": answered,
        }

    rows = enquiry_rows(
        [
            enquiry("later", "open", 9),
            enquiry("old-answer", "answered", -30, "2026-11-22T01:00:00+00:00"),
            enquiry("overdue", "open", -1),
            enquiry("soon", "open", 1.5),
            enquiry("new-answer", "answered", 5, "2026-11-23T03:00:00+00:00"),
        ],
        now=NOW,
    )
    assert [r.enquiry["id"] for r in rows] == [
        "overdue",
        "soon",
        "later",
        "new-answer",
        "old-answer",
    ]
    assert [r.warn for r in rows[:3]] == [True, True, False]
    assert rows[0].seconds_left == -3600


# -- reports ---------------------------------------------------------------------------
def test_key_figures_compare_with_the_previous_period() -> None:
    figures = {
        f.key: f
        for f in key_figures(
            {"posts": 6, "reads": 1200, "reply_rate_12h": 0.9, "engagement_rate": None},
            {"posts": 4, "reads": 1500, "reply_rate_12h": 0.75, "engagement_rate": 0.1},
        )
    }
    assert figures["posts"].change == "+2 (+50%)"
    assert figures["posts"].direction == 1
    assert figures["reads"].current == "1,200"
    assert figures["reads"].direction == -1
    assert figures["reply_rate_12h"].current == "90.0%"
    assert figures["reply_rate_12h"].change == "+15.0 pt"
    assert figures["engagement_rate"].current == "—"
    assert figures["engagement_rate"].change == "—"


def test_bars_scale_to_the_largest_value_and_show_no_base_as_a_dash() -> None:
    chart = bar_chart("Reads", [("财务管理", 300), ("人力资源管理", 150), ("行业信息", 0)])
    widths = [b.width for b in chart.bars]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    rates = bar_chart("Rate", [("a", 0.5), ("b", None)], rate=True)
    assert [b.shown for b in rates.bars] == ["50.0%", "—"]
    assert percent(None) == "—"


# -- documents -------------------------------------------------------------------------
def test_a_shown_document_keeps_its_text_and_tables_and_drops_anything_active() -> None:
    html = (
        "<!DOCTYPE html><html><head><style>body{color:red}</style></head><body><main>"
        "<h1>核心问题</h1><section><h2>一、核心数据</h2><table><tr><td>评论数</td><td>3</td></tr>"
        '</table><p onclick="x()">&lt;script&gt;alert(1)&lt;/script&gt;</p>'
        '<script>alert(2)</script><img src=x onerror="alert(3)"><a href="javascript:y()">链接</a>'
        "</section></main></body></html>"
    )
    shown = shown_document(html)
    assert "<h2>一、核心数据</h2>" in shown
    assert "<td>评论数</td>" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the customer's text, as text
    assert "<h1>" not in shown
    for active in ("<script", "onclick", "onerror", "<img", "javascript:", "<style", "href"):
        assert active not in shown


def test_the_analysis_preview_gets_the_customers_words_only_within_its_limits() -> None:
    items = [
        _item("comment", "  请问怎么办理？  "),
        _item("comment", "加微信领资料", spam=True),
        _item("reply", "您好，已回复"),
        _item("message", ""),
        _item("message", "长" * 1500),
    ] + [_item("comment", f"第{n}条") for n in range(300)]
    texts = customer_texts(items)
    assert texts[0] == "请问怎么办理？"
    assert "加微信领资料" not in texts
    assert "您好，已回复" not in texts
    assert "" not in texts
    assert len(texts[1]) == 1000
    assert len(texts) == 200


def test_themes_are_the_previews_groups_with_their_own_words() -> None:
    texts = ["数电发票怎么开通？", "数电发票在哪里申请", "写得很清楚", "文章太长了"]
    preview = {
        "groups": [
            {
                "label": "数电发票开通",
                "stance": "ask",
                "about_form": False,
                "count": 2,
                "members": [0, 1],
                "representatives": [1, 0, 0],
            },
            {
                "label": "篇幅",
                "stance": "complaint",
                "about_form": True,
                "count": 1,
                "members": [3],
                "representatives": [9],
            },
        ]
    }
    themes = themes_of(preview, texts)
    assert themes[0] == {
        "label": "数电发票开通",
        "stance": "ask",
        "count": 2,
        "about_form": False,
        "quotes": ["数电发票在哪里申请", "数电发票怎么开通？"],
    }
    assert themes[1]["about_form"] is True
    assert themes[1]["quotes"] == []  # an index outside the texts is never quoted
    assert themes_of({}, texts) == []
