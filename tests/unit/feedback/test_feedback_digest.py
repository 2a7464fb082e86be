"""The core-issues document: numbers on a hand-built window, and the three renderers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest

from services.feedback.analysis import FeedbackItem, FeedbackKind
from services.feedback.digest import (
    CategoryHistoryRow,
    CoreIssuesDigest,
    EnquiryInfo,
    PostInfo,
    build_digest,
    render_docx,
    render_html,
    render_markdown,
)

START = datetime(2024, 5, 6, 3, 30, tzinfo=UTC)  # Monday 11:30 China time
END = START + timedelta(hours=24)
GENERATED = END + timedelta(minutes=5)
POST = PostInfo(post_id="p1", title="个税汇算清缴全攻略", category="finance", published_at=START)


def _item(
    item_id: str,
    kind: FeedbackKind,
    text: str,
    hours: float,
    *,
    author: str = "",
    late: bool = False,
    in_reply_to: str | None = None,
    metrics: dict[str, int] | None = None,
    post_id: str = "p1",
) -> FeedbackItem:
    return FeedbackItem(
        item_id=item_id,
        kind=kind,
        text=text,
        author=author or f"user-{item_id}",
        received_at=START + timedelta(hours=hours),
        post_id=post_id,
        late=late,
        in_reply_to=in_reply_to,
        metrics=metrics or {},
    )


ITEMS = [
    _item("c1", "comment", "请问社保基数怎么调整？", 1, author="张三"),
    _item("r1", "reply", "您好，每年7月调整。", 3, author="运营小王", in_reply_to="c1"),
    _item("c2", "comment", "发票抬头开错了还能报销么", 2, author="李四"),
    _item("m1", "message", "个税汇算清缴什么时候截止？我的电话13812345678", 20, author="王五"),
    _item("m2", "message", "你们客服太慢了，一直没人回复，太失望了[发怒]", 5, author="赵六"),
    _item("c3", "comment", "写得很好，学到了很多[强]", 6),
    _item("c4", "comment", "这篇文章很实用，谢谢", 7),
    _item("c5", "comment", "加我微信 wx_abc123 代开发票", 8),
    _item("c6", "comment", "迟到的评论，写得很好", 9, late=True),
    _item("c7", "comment", "窗口之后才到的评论", 25),
    _item("c8", "comment", "难道就没人管管吗？", 10),
    _item("c9", "comment", "请问社保断缴有什么影响", 1, author="孙七"),
    _item("r2", "reply", "断缴会影响连续缴费年限。", 15, author="运营小李", in_reply_to="c9"),
    _item("c10", "comment", "<script>alert(1)</script>写得真好", 11),
    _item("mt1", "metric", "", 2, metrics={"reads": 100, "likes": 5, "shares": 1}),
    _item("mt2", "metric", "", 23, metrics={"reads": 900, "likes": 40, "shares": 12}),
    _item("mt3", "metric", "", 23.5, late=True, metrics={"reads": 1000, "likes": 50, "shares": 20}),
    _item("x1", "comment", "别的推送的评论", 3, post_id="p0"),
]
ENQUIRIES = [
    EnquiryInfo(
        enquiry_id="e1",
        asked_by="周八",
        asked_at=START + timedelta(hours=4),
        text="代理记账怎么收费？",
        answered_by="运营小李",
        answered_at=START + timedelta(hours=6),
    ),
    EnquiryInfo(
        enquiry_id="e2",
        asked_by="吴九",
        asked_at=START + timedelta(hours=6),
        text="可以上门服务吗，电话13912345678",
    ),
    EnquiryInfo(
        enquiry_id="e3",
        asked_by="王五",
        asked_at=START + timedelta(hours=20),
        text="个税汇算清缴什么时候截止？",
        answered_by="运营小王",
        answered_at=START + timedelta(hours=21),
        item_id="m1",
    ),
]
HISTORY = [
    CategoryHistoryRow(
        post_id="h1",
        title="增值税新政解读",
        published_at=START - timedelta(days=2),
        comments=4,
        positive_share=0.5,
        negative_share=0.25,
        reads=600,
    ),
    CategoryHistoryRow(
        post_id="h2",
        title="财务报表怎么看",
        published_at=START - timedelta(days=5),
        comments=12,
        positive_share=0.4,
        negative_share=0.1,
        reads=1200,
    ),
    CategoryHistoryRow(
        post_id="h3",
        title="未来的推送",
        published_at=START + timedelta(days=2),
        comments=99,
        positive_share=0.4,
        negative_share=0.1,
        reads=9999,
    ),
]


@pytest.fixture(scope="module")
def digest() -> CoreIssuesDigest:
    return build_digest(POST, ITEMS, ENQUIRIES, HISTORY, START, END, GENERATED)


def test_headline_numbers(digest: CoreIssuesDigest) -> None:
    h = digest.headline
    assert (h.comments, h.messages, h.replies) == (8, 2, 2)
    assert h.spam == 1
    assert h.late_excluded == 3  # c6 flagged late, c7 after the window, mt3 flagged late
    assert (h.reads, h.likes, h.shares) == (900, 40, 12)
    assert h.metrics_at == START + timedelta(hours=23)
    assert (h.recorded_enquiries, h.detected_questions, h.enquiries) == (3, 3, 6)
    assert (h.answered, h.open, h.breached) == (4, 2, 3)


def test_questions_show_who_answered_and_the_twelve_hour_rule(digest: CoreIssuesDigest) -> None:
    by_ref = {q.ref_id: q for q in digest.questions}
    assert set(by_ref) == {"c1", "c2", "c9", "e1", "e2", "e3"}  # m1 is recorded as e3
    assert by_ref["c1"].answered_by == "运营小王"
    assert by_ref["c1"].time_to_reply == timedelta(hours=2)
    assert not by_ref["c1"].breached
    assert by_ref["c9"].breached
    assert by_ref["c9"].time_to_reply == timedelta(hours=14)
    assert by_ref["c2"].is_open
    assert by_ref["c2"].breached
    assert by_ref["e2"].is_open
    assert by_ref["e2"].breached
    assert by_ref["c2"].reason
    assert "么" in by_ref["c2"].reason
    assert [q.ref_id for q in digest.questions[:2]] == ["c2", "e2"]  # open and breached first
    assert "139****5678" in by_ref["e2"].text


def test_complaints_sentiment_and_themes(digest: CoreIssuesDigest) -> None:
    assert [c.item_id for c in digest.complaints] == ["m2", "c8"]
    assert digest.complaints_total == 2
    s = digest.sentiment
    assert (s.positive, s.neutral, s.negative) == (3, 4, 2)
    assert sum(t.count for t in digest.themes) == 9
    assert all("wx_abc123" not in q for t in digest.themes for q in t.quotes)


def test_comparison_uses_only_earlier_posts(digest: CoreIssuesDigest) -> None:
    c = digest.comparison
    assert [r.post_id for r in c.rows] == ["p1", "h1", "h2"]
    assert c.rows[0].is_current
    assert c.rows[0].reads == 900
    assert c.avg_comments == 8.0
    assert c.comments_vs_avg == 0.0
    assert c.reads_vs_avg == 0.0
    assert c.avg_negative_share == pytest.approx(0.175)


def test_digest_is_json_able(digest: CoreIssuesDigest) -> None:
    data = json.loads(digest.model_dump_json())
    assert data["headline"]["breached"] == 3
    assert CoreIssuesDigest.model_validate_json(digest.model_dump_json()) == digest


def test_empty_window_still_makes_a_document() -> None:
    empty = build_digest(POST, [], [], [], START, END, GENERATED)
    assert empty.headline.comments == 0
    assert empty.themes == []
    assert empty.sentiment.total == 0
    assert "《推送反馈核心问题汇总》" in render_markdown(empty)
    assert render_docx(empty)[:2] == b"PK"
    assert "暂无可对比" in render_html(empty)


def test_naive_or_inverted_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_digest(POST, [], [], [], START.replace(tzinfo=None), END, GENERATED)
    with pytest.raises(ValueError, match="after"):
        build_digest(POST, [], [], [], END, START, GENERATED)


def test_markdown_holds_the_figures(digest: CoreIssuesDigest) -> None:
    md = render_markdown(digest)
    assert md.startswith("# 《推送反馈核心问题汇总》")
    for text in (
        "刘总监",
        "| 评论数 | 8 |",
        "| 阅读数 | 900 |",
        "| 超过12小时回复时限 | 3 |",
        "## 三、客户提问（按意图）及回复",
        "您好，每年7月调整。",
        "运营小王",
        "2小时0分",
        "增值税新政解读",
    ):
        assert text in md
    assert "13812345678" not in md
    assert "13912345678" not in md


def test_the_configured_reply_limit_decides_breaches_and_is_what_the_document_states(
    digest: CoreIssuesDigest,
) -> None:
    """FEEDBACK_REPLY_LIMIT_HOURS: c9 answered after 14 hours is late against 12, not 16."""
    c9 = next(q for q in digest.questions if q.ref_id == "c9")
    assert c9.breached
    lenient = build_digest(
        POST, ITEMS, ENQUIRIES, HISTORY, START, END, GENERATED, reply_limit=timedelta(hours=16)
    )
    assert not next(q for q in lenient.questions if q.ref_id == "c9").breached
    assert lenient.headline.breached < digest.headline.breached
    md = render_markdown(lenient)
    assert f"| 超过16小时回复时限 | {lenient.headline.breached} |" in md
    assert "回复时限为16小时" in md
    assert "12小时" not in md


def test_html_is_escaped_and_self_contained(digest: CoreIssuesDigest) -> None:
    page = render_html(digest)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page or "alert" not in page
    assert 'name="viewport"' in page
    assert "http" not in page
    assert "<link" not in page
    for text in ("推送反馈核心问题汇总", "<td>900</td>", "客户提问（按意图）及回复", "运营小李"):
        assert text in page


def test_docx_opens_and_holds_headings_and_question_table(digest: CoreIssuesDigest) -> None:
    from docx import Document

    document = Document(BytesIO(render_docx(digest)))
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    headings = [text for style, text in styled if style.startswith(("Heading", "Title"))]
    assert headings[0] == "《推送反馈核心问题汇总》"
    assert "一、核心数据" in headings
    assert "三、客户提问（按意图）及回复" in headings
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["指标", "数值"] in headers
    question_header = [
        "意图",
        "问题内容",
        "提问人",
        "提问时间",
        "回复内容",
        "回复人",
        "回复用时",
        "状态",
    ]
    assert question_header in headers
    questions = document.tables[headers.index(question_header)]
    rows = [[c.text for c in row.cells] for row in questions.rows]
    assert any(r[1] == "请问社保基数怎么调整？" and r[4] == "您好，每年7月调整。" for r in rows)
    numbers = document.tables[headers.index(["指标", "数值"])]
    assert ["评论数", "8"] in [[c.text for c in row.cells] for row in numbers.rows]
    bullets = [text for style, text in styled if style == "List Bullet"]
    assert any(b.startswith("“") for b in bullets)
