"""A small, hand-countable read model around the week of Mon 2026-11-30 (China time).

Current week (2026-11-30 .. 12-07 local): p1 industry, p2 hr, p3 industry, p4 finance (failed).
Previous week (11-23 .. 11-30 local): q1 industry, q2 hr, q3 management.
Before both: r1 industry (11-20). Expected figures are worked out in the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.reporting.reports import (
    DigestQuestion,
    DigestRow,
    DigestTheme,
    PostFeedbackAgg,
    PostRow,
)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def _post(post_id: str, category: str, at: datetime, title: str, **kw: object) -> PostRow:
    return PostRow.model_validate(
        {
            "post_id": post_id,
            "draft_id": f"d-{post_id}",
            "title": title,
            "category": category,
            "published_at": at,
            "slot_key": f"publish:{at.isoformat()}",
            **kw,
        }
    )


@pytest.fixture
def posts() -> list[PostRow]:
    return [
        _post("p1", "industry", utc(2026, 11, 30, 3, 30), "行业动态：税务新规解读"),
        _post("p2", "hr", utc(2026, 12, 2, 3, 30), "社保基数调整指南", lateness_seconds=120.0),
        _post("p3", "industry", utc(2026, 12, 4, 3, 30), "数字化转型趋势"),
        PostRow(
            post_id="p4",
            draft_id="d-p4",
            title="融资渠道盘点",
            category="finance",
            failed_at=utc(2026, 12, 2, 3, 30),
            slot_key="publish:2026-12-02T11:30+08:00",
        ),
        _post("q1", "industry", utc(2026, 11, 23, 3, 30), "上周行业要闻"),
        _post("q2", "hr", utc(2026, 11, 25, 3, 30), "招聘旺季"),
        _post("q3", "management", utc(2026, 11, 27, 3, 30), "管理随笔"),
        _post("r1", "industry", utc(2026, 11, 20, 3, 30), "更早的文章"),
    ]


def _agg(post_id: str, *v: int) -> PostFeedbackAgg:
    names = [
        *("reads", "likes", "shares", "comments", "messages", "enquiries", "replies"),
        *("replies_within_12h", "enquiries_breached", "positive", "neutral", "negative"),
    ]
    return PostFeedbackAgg.model_validate({"post_id": post_id, **dict(zip(names, v, strict=True))})


@pytest.fixture
def aggs() -> list[PostFeedbackAgg]:
    return [
        #          reads likes shares comm msg enq rep ≤12h breach + 0 -
        _agg("p1", 1000, 50, 20, 30, 4, 6, 9, 8, 1, 20, 15, 5),
        _agg("p2", 400, 10, 6, 4, 1, 1, 2, 1, 1, 2, 3, 1),
        _agg("p3", 600, 30, 10, 20, 0, 0, 5, 0, 0, 10, 5, 5),
        _agg("p4", 999, 99, 99, 99, 9, 9, 9, 9, 9, 9, 9, 9),  # failed: must be ignored
        _agg("q1", 800, 40, 8, 12, 2, 2, 4, 3, 0, 8, 4, 2),
        _agg("q2", 500, 20, 5, 5, 0, 2, 2, 2, 0, 3, 2, 0),
        _agg("q3", 300, 9, 3, 3, 1, 0, 0, 0, 0, 1, 1, 1),
        _agg("r1", 100, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    ]


@pytest.fixture
def digests() -> list[DigestRow]:
    return [
        DigestRow(
            post_id="p1",
            category="industry",
            themes=[
                DigestTheme(
                    label="税务筹划",
                    terms=["税务", "筹划", "节税"],
                    count=12,
                    sample_quotes=["怎么合法节税？"],
                ),
                DigestTheme(label="行业政策", terms=["政策", "补贴", "申报"], count=5),
            ],
            questions=[
                DigestQuestion(
                    text="补贴怎么申报？",
                    asked_at=utc(2026, 11, 30, 5),
                    answered=True,
                    reply_text="请联系客服",
                    reply_at=utc(2026, 11, 30, 9),
                ),
                DigestQuestion(text="有线下活动吗", asked_at=utc(2026, 11, 30, 6)),
            ],
        ),
        DigestRow(
            post_id="p2",
            category="hr",
            themes=[
                DigestTheme(label="税务 筹划", terms=["税务", "社保", "筹划"], count=4),
                DigestTheme(label="社保政策", terms=["社保", "缴费", "基数"], count=6),
            ],
            questions=[DigestQuestion(text="补贴怎么申报?", asked_at=utc(2026, 12, 2, 5))],
        ),
        DigestRow(
            post_id="p3",
            category="industry",
            themes=[DigestTheme(label="Policy news", terms=["补贴", "申报", "政策"], count=3)],
            questions=[
                DigestQuestion(
                    text="数字化转型案例",
                    asked_at=utc(2026, 12, 4, 4),
                    answered=True,
                    reply_text="见下期",
                    reply_at=utc(2026, 12, 4, 20),
                )
            ],
        ),
        DigestRow(  # previous week's post: not part of the current report
            post_id="q1",
            category="industry",
            themes=[DigestTheme(label="旧主题", terms=["旧"], count=100)],
        ),
        DigestRow(  # the failed post cannot have feedback
            post_id="p4",
            category="finance",
            themes=[DigestTheme(label="融资", terms=["融资"], count=50)],
        ),
    ]
