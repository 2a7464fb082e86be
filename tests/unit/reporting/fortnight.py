"""A realistic fortnight (Mon 2026-11-23 .. Sun 12-06, China time) for the plan and the
renderers: six posts in four categories, digests of both shapes — new ones with stance,
intent and the form flag (#17), and an older one without them — and their questions.

What a reader should take from it, and the tests check:
- 开通与账号 was asked four times under two posts (two without a reply): the first idea;
- 发票与报销 was asked twice, once unanswered;
- login failures are a complaint (a problem, not about form);
- "文章太长了" / "能不能早点推" are about form (flagged, or recognised in the older
  digest): advice, never a topic;
- 社保基数 came from p-hr1's own feedback: covered by that post, and it must say so;
- p-fin1 was read and shared most;
- followers (#14): 浦东 lags its fair share of its target, 徐汇 brought nobody, three
  readers left within a day of 管培生培养的三个误区.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.reporting.domain.followers import (
    Branch,
    FollowerChange,
    FollowersSummary,
    PublishedPost,
    followers_summary,
)
from services.reporting.reports import (
    DigestQuestion,
    DigestRow,
    DigestTheme,
    PostFeedbackAgg,
    PostRow,
    Report,
    build_report,
)
from shared.calendar import biweekly_period

__all__ = ["GENERATED", "fortnight_followers", "fortnight_report", "fortnight_rows"]

GENERATED = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)  # Mon 12-07 14:30 China time
ANCHOR = date(2026, 11, 23)


def utc(mo: int, d: int, h: int = 3, mi: int = 30) -> datetime:
    return datetime(2026, mo, d, h, mi, tzinfo=UTC)


def _post(post_id: str, category: str, at: datetime, title: str) -> PostRow:
    return PostRow(
        post_id=post_id,
        draft_id=f"d-{post_id}",
        title=title,
        category=category,  # type: ignore[arg-type]
        published_at=at,
        slot_key=f"publish:{at.isoformat()}",
    )


def _agg(
    post_id: str, reads: int, likes: int, shares: int, comments: int, **kw: int
) -> PostFeedbackAgg:
    return PostFeedbackAgg(
        post_id=post_id, reads=reads, likes=likes, shares=shares, comments=comments, **kw
    )


def _q(
    text: str, at: datetime, intent: str | None, reply: str | None = None, hours: float = 2
) -> DigestQuestion:
    from datetime import timedelta

    return DigestQuestion(
        text=text,
        asked_at=at,
        answered=reply is not None,
        reply_text=reply,
        reply_at=at + timedelta(hours=hours) if reply else None,
        intent=intent,
    )


def fortnight_rows() -> tuple[list[PostRow], list[PostFeedbackAgg], list[DigestRow]]:
    posts = [
        _post("p-svc1", "services", utc(11, 23), "融智服务：电子税务局开通全流程"),
        _post("p-hr1", "hr", utc(11, 25), "2026 年社保基数调整要点"),
        _post("p-fin1", "finance", utc(11, 27), "数电发票报销入账实操"),
        _post("p-ind1", "industry", utc(11, 30), "行业动态：小微企业税费优惠延续"),
        _post("p-mgt1", "management", utc(12, 2), "管培生培养的三个误区"),
        _post("p-svc2", "services", utc(12, 4), "融智服务：代理记账常见问答"),
    ]
    aggs = [
        _agg(
            "p-svc1",
            1800,
            60,
            40,
            35,
            messages=6,
            enquiries=4,
            replies_within_12h=7,
            positive=12,
            neutral=18,
            negative=9,
        ),
        _agg(
            "p-hr1",
            2400,
            90,
            70,
            40,
            messages=3,
            enquiries=2,
            replies_within_12h=5,
            positive=22,
            neutral=14,
            negative=2,
        ),
        _agg(
            "p-fin1",
            3600,
            150,
            180,
            55,
            messages=4,
            enquiries=3,
            replies_within_12h=6,
            positive=25,
            neutral=28,
            negative=4,
        ),
        _agg("p-ind1", 900, 20, 8, 6, positive=2, neutral=4),
        _agg(
            "p-mgt1",
            1100,
            45,
            12,
            15,
            messages=1,
            replies_within_12h=1,
            positive=8,
            neutral=6,
            negative=1,
        ),
        _agg(
            "p-svc2",
            1300,
            30,
            15,
            20,
            messages=2,
            enquiries=2,
            replies_within_12h=3,
            positive=6,
            neutral=12,
            negative=4,
        ),
    ]
    digests = [
        DigestRow(
            post_id="p-svc1",
            category="services",
            themes=[
                DigestTheme(
                    label="电子税务局账号开通",
                    terms=["开通", "账号", "电子税务局"],
                    count=9,
                    sample_quotes=["开通要带哪些材料？", "账号开通要多久"],
                    stance="ask",
                    intent="开通与账号",
                ),
                DigestTheme(
                    label="登录不上去",
                    terms=["登录", "失败", "验证码"],
                    count=5,
                    sample_quotes=[
                        "登录一直提示验证码错误",
                        "开通速度真是高效，等了十天还在审核中",
                    ],
                    stance="complaint",
                    intent="系统故障",
                ),
                DigestTheme(
                    label="文章太长了",
                    terms=["太长", "篇幅"],
                    count=3,
                    sample_quotes=["文章太长了，手机上看不完"],
                    stance="complaint",
                    about_form=True,
                ),
            ],
            questions=[
                _q(
                    "电子税务局账号怎么开通？", utc(11, 23, 5), "开通与账号", "按文中第二步提交即可"
                ),
                _q("开通要带哪些材料？", utc(11, 23, 6), "开通与账号"),
                _q("法人不在本地能开通吗", utc(11, 24, 1), "开通与账号", "可以线上授权", 15),
            ],
        ),
        DigestRow(
            post_id="p-hr1",
            category="hr",
            themes=[
                DigestTheme(
                    label="社保基数",
                    terms=["社保基数", "缴费", "调整"],
                    count=7,
                    sample_quotes=["社保基数按哪个月工资算？"],
                    stance="ask",
                    intent="社保与人事",
                ),
                DigestTheme(
                    label="实用，已转发",
                    terms=["实用", "转发"],
                    count=6,
                    sample_quotes=["很实用，已转给财务同事"],
                    stance="praise",
                ),
            ],
            questions=[
                _q("社保基数按哪个月工资算？", utc(11, 25, 6), "社保与人事", "按上年度月平均工资"),
            ],
        ),
        DigestRow(  # an older digest: no stance, intent or form flag
            post_id="p-fin1",
            category="finance",
            themes=[
                DigestTheme(
                    label="数电发票报销",
                    terms=["数电发票", "报销", "入账"],
                    count=8,
                    sample_quotes=["数电发票要打印吗？"],
                ),
                DigestTheme(
                    label="推送时间",
                    terms=["推送时间", "早点"],
                    count=2,
                    sample_quotes=["能不能早点推，午休前看"],
                ),
            ],
            questions=[
                _q("数电发票报销还要打印纸质版吗？", utc(11, 27, 5), None, "不需要，电子存档即可"),
                _q("数电发票报销还要打印纸质版吗", utc(11, 28, 2), None),
            ],
        ),
        DigestRow(
            post_id="p-svc2",
            category="services",
            themes=[],
            questions=[
                _q("个人账号开通后怎么绑定企业？", utc(12, 4, 6), "开通与账号"),
                _q("代理记账一个月多少钱？", utc(12, 4, 7), "价格与服务", "客户经理会联系您", 20),
            ],
        ),
    ]
    return posts, aggs, digests


def fortnight_followers(posts: list[PostRow]) -> FollowersSummary:
    """Two branches promoting the account: 浦东 (40 to reach, a month old) brings staff
    every other day; 徐汇 (30 to reach, created on 11-26) brings nobody. Three readers
    who came by search leave the morning after 管培生培养的三个误区."""
    current, _ = biweekly_period(ANCHOR, 0)
    start, hour, day = current.start, timedelta(hours=1), timedelta(days=1)
    changes = [
        FollowerChange("subscribed", start + i * 2 * day + 10 * hour, "branch", "pudong")
        for i in range(7)
    ]
    changes += [
        FollowerChange("subscribed", start + 3 * day, "campaign", None),
        FollowerChange("subscribed", start + 4 * day, "article", None),
    ]
    changes += [
        FollowerChange("unsubscribed", utc(12, 2, 20 + i), "search", None) for i in range(3)
    ]
    return followers_summary(
        start=current.start,
        end=current.end,
        changes=changes,
        branches=[
            Branch("pudong", "浦东分公司", 40, administrator="王经理", since=start - 4 * day),
            Branch("xuhui", "徐汇分公司", 30, administrator="李主任", since=utc(11, 26)),
        ],
        attributed_at_end={("default", "pudong"): 12},
        posts=[
            PublishedPost(p.post_id, p.title, p.published_at)
            for p in posts
            if p.published_at is not None
        ],
        as_of=GENERATED,
    )


def fortnight_report() -> Report:
    posts, aggs, digests = fortnight_rows()
    current, previous = biweekly_period(ANCHOR, 0)
    return build_report(
        "biweekly",
        current,
        previous,
        posts,
        aggs,
        digests,
        GENERATED,
        key="report:biweekly:2026-11-23",
        followers=fortnight_followers(posts),
    )
