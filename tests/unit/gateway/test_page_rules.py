"""The pure rules behind the pages: body text <-> HTML, highlighted segments, sources,
Today's deadlines, China time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.gateway.domain.body import html_to_text, text_to_html
from services.gateway.domain.highlight import Segment, segments
from services.gateway.domain.sources import parse_sources, sources_text
from services.gateway.domain.today import drafts_due, enquiries_nearing
from services.gateway.web.timefmt import local_time, span_text
from shared.calendar.slots import SlotCalendar

MONDAY_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
CALENDAR = SlotCalendar(weekdays=(0, 2, 4), times=("11:30",), zone="Asia/Shanghai")


def test_what_a_person_types_never_becomes_markup() -> None:
    html = text_to_html("<script>alert(1)</script>\n\n## 小标题\n\n- 一\n- 二\n\n第一行\n第二行")
    assert html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><h2>小标题</h2>"
        "<ul><li>一</li><li>二</li></ul><p>第一行<br>第二行</p>"
    )
    assert (
        html_to_text(html)
        == "<script>alert(1)</script>\n\n## 小标题\n\n- 一\n- 二\n\n第一行\n第二行"
    )


def test_findings_cut_the_text_and_overlaps_are_left_unmarked() -> None:
    findings = [
        {"part": "body", "start": 2, "end": 4, "severity": "block"},
        {"part": "body", "start": 3, "end": 5, "severity": "warn"},  # overlaps: skipped
        {"part": "title", "start": 0, "end": 1, "severity": "warn"},
        {"part": "body", "start": 6, "end": 99, "severity": "warn"},  # out of range
    ]
    assert segments("文中赌场案例", findings, "body") == [
        Segment("文中"),
        Segment("赌场", finding=0, severity="block"),
        Segment("案例"),
    ]


def test_sources_are_read_a_line_each_and_bad_lines_named() -> None:
    sources, problems = parse_sources(
        "authority | 税务总局 | https://x.cn\nrumour | 某人\n\nnews |"
    )
    assert sources == [{"kind": "authority", "name": "税务总局", "url": "https://x.cn"}]
    assert problems == [
        "line 2: kind must be one of portal, authority, news, internal",
        "line 4: name the source",
    ]
    assert sources_text(sources) == "authority | 税务总局 | https://x.cn"


def test_drafts_due_aim_at_the_next_slot_whose_10_oclock_deadline_is_ahead() -> None:
    drafts = [
        {"id": "a", "state": "editing"},
        {"id": "b", "state": "submitted"},  # with the reviewer already: not due
        {"id": "c", "state": "rejected", "wished_slot": "2026-11-25T03:30:00+00:00"},
    ]
    due = drafts_due(drafts, calendar=CALENDAR, now=MONDAY_0830)
    assert [d.draft["id"] for d in due] == ["a", "c"]
    assert due[0].seconds_left == 90 * 60  # Monday 10:00 is 1 h 30 min away
    late = drafts_due(drafts[:1], calendar=CALENDAR, now=MONDAY_0830.replace(hour=3))
    assert late[0].slot_at == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # Wednesday's


def test_enquiries_show_from_two_hours_before_their_deadline() -> None:
    enquiries = [
        {"id": "1", "state": "open", "deadline": "2026-11-23T01:00:00+00:00"},
        {"id": "2", "state": "open", "deadline": "2026-11-23T08:00:00+00:00"},
        {"id": "3", "state": "answered", "deadline": "2026-11-23T00:00:00+00:00"},
        {"id": "4", "state": "open", "deadline": "2026-11-22T23:00:00+00:00"},
    ]
    near = enquiries_nearing(enquiries, now=MONDAY_0830)
    assert [e.enquiry["id"] for e in near] == ["4", "1"]
    assert near[0].seconds_left < 0


def test_times_are_shown_in_china_time_with_the_zone() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert local_time(MONDAY_0830, zone, "zh-CN") == "2026-11-23 08:30 (UTC+08:00 北京时间)"
    assert local_time("2026-11-23T00:30:00+00:00", zone, "en") == (
        "2026-11-23 08:30 (UTC+08:00 China time)"
    )
    assert span_text(5400, "zh-CN") == "还剩 1 小时 30 分钟"
    assert span_text(-300, "en") == "overdue by 5 min"
