"""Benchmark: build the core-issues document for 50k and 500k synthetic feedback items.

Run: ``.venv/bin/python bench/digest.py [sizes...]`` (default 50,000 and 500,000;
``BENCH_QUICK=1``: 1,000 and 10,000, one run). Times the full build (analysis +
Markdown + HTML + Word) per size: the median, min and max of the runs after a warm-up on
the first 1,000 items, each run from cold caches (``clear_caches``), and the peak RSS of
this process (which runs the service's digest code, holding the items as the service
does). Prints the growth between sizes:
time ratio over size ratio, 1.0 being linear. Goals (#15): 50k items under 3 s, 500k
under 30 s, growth near linear.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.harness import Goal, Spread, note, pick, repeat, report  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from services.feedback.analysis import FeedbackItem, FeedbackKind, clear_caches  # noqa: E402
from services.feedback.digest import (  # noqa: E402
    CategoryHistoryRow,
    EnquiryInfo,
    PostInfo,
    build_digest,
    render_docx,
    render_html,
    render_markdown,
)

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "社保": (
        ["社保缴费基数", "异地社保转移", "社保断缴", "灵活就业社保", "社保卡补办", "医保报销比例"],
        [
            "请问{x}怎么办理？",
            "{x}需要准备什么材料",
            "{x}的政策讲得很清楚，谢谢",
            "{x}拖了很久还没办好，太失望了",
            "想问一下{x}在哪里办",
            "{x}这块能不能再详细讲讲",
        ],
    ),
    "个税": (
        ["个税汇算清缴", "专项附加扣除", "年终奖计税", "个税退税", "个人所得税申报"],
        [
            "{x}什么时候截止？",
            "{x}怎么填写",
            "{x}的步骤很详细，照着做就成功了[强]",
            "{x}的app又闪退了，真烦",
            "{x}一般几天到账",
            "看完终于明白{x}了👍",
        ],
    ),
    "发票": (
        ["电子发票报销", "增值税专票", "差旅费报销", "发票抬头", "跨年发票"],
        [
            "{x}可以直接报销吗",
            "{x}开错了怎么办？",
            "{x}流程太繁琐了[捂脸]",
            "{x}讲得很实用，财务同事都说好",
            "請問{x}需要哪些單據",
            "{x}有没有时间限制",
        ],
    ),
    "招聘": (
        ["面试流程", "招聘岗位", "试用期", "入职体检", "简历投递"],
        [
            "{x}一般多久有结果？",
            "你们还在招聘吗，{x}是怎样的",
            "{x}的技巧很实用",
            "{x}通知发错时间了，太不负责了",
            "{x}需要准备哪些材料",
            "{x}这部分写得特别好",
        ],
    ),
    "服务": (
        ["融智综合服务体系", "代理记账", "工商注册", "薪酬外包", "企业管理咨询"],
        [
            "{x}怎么收费？",
            "{x}很贴心，客服回复很及时",
            "{x}的客服态度太差了，我要投诉",
            "想咨询一下{x}的流程",
            "{x}覆盖哪些城市",
            "用了{x}，很满意[OK]",
        ],
    ),
}
SPAM = [
    "加我微信 wx_{n}，代开各种发票",
    "兼职刷单，日赚{n}，详情私聊",
    "点击 http://t.cn/a{n} 免费领取福利",
    "低价代理记账，加V：cs{n}",
    "顶顶顶顶顶顶顶顶顶顶",
]
EXTRAS = ["", "", "", "[强]", "谢谢", "，我的电话13812345678", "😊", "[流泪]", "，急！"]
# Context clauses with numbers make most texts distinct, as real comments are.
CONTEXTS = [
    "",
    "我们公司有{k}名员工，",
    "老师好，",
    "{k}号提交的，",
    "小编你好，",
    "已经等了{k}小时，",
    "我在{city}，",
    "第{k}次留言了，",
    "{city}的分公司，",
    "去年营收{k}万，",
]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "南京", "西安", "重庆"]
POST_AT = datetime(2024, 5, 6, 3, 30, tzinfo=UTC)  # Monday 11:30 China time
GOALS = {50_000: Goal("<", 3, "s"), 500_000: Goal("<", 30, "s")}


def synthetic_items(n: int, seed: int = 7) -> list[FeedbackItem]:
    """``n`` deterministic feedback items: comments, messages, replies, metrics, spam, late."""
    rng = random.Random(seed)
    topics = list(TOPICS.values())
    items: list[FeedbackItem] = []
    asked: list[str] = []
    for i in range(n):
        at = POST_AT + timedelta(seconds=rng.randrange(0, 24 * 3600))
        roll = rng.random()
        late = rng.random() < 0.02
        if roll < 0.01:
            m = {"reads": 1000 + i, "likes": 50 + i // 10, "shares": 20 + i // 20}
            items.append(FeedbackItem(f"m{i}", "metric", "", "system", at, "p1", late, None, m))
            continue
        if roll < 0.09 and asked:
            target = rng.choice(asked)
            items.append(
                FeedbackItem(
                    f"r{i}",
                    "reply",
                    "您好，已为您处理，请查收。",
                    "运营小王",
                    at,
                    "p1",
                    late,
                    target,
                )
            )
            continue
        if roll < 0.12:
            text = rng.choice(SPAM).format(n=rng.randrange(100, 999))
        else:
            subjects, templates = rng.choice(topics)
            context = rng.choice(CONTEXTS).format(k=rng.randrange(1, 5000), city=rng.choice(CITIES))
            text = context + rng.choice(templates).format(x=rng.choice(subjects))
            text += rng.choice(EXTRAS)
        kind: FeedbackKind = "message" if roll < 0.30 else "comment"
        item_id = f"c{i}"
        asked.append(item_id)
        items.append(
            FeedbackItem(item_id, kind, text, f"user{rng.randrange(n // 3 + 1)}", at, "p1", late)
        )
    return items


def build_all(items: list[FeedbackItem]) -> tuple[float, float, int]:
    """Build and render the document; return (build seconds, render seconds, docx bytes)."""
    post = PostInfo(
        post_id="p1", title="个税汇算清缴全攻略", category="finance", published_at=POST_AT
    )
    enquiries = [
        EnquiryInfo(
            enquiry_id=f"e{i}",
            asked_by=f"user{i}",
            asked_at=POST_AT + timedelta(hours=i),
            text="请问代理记账怎么收费？",
            answered_by="运营小李" if i % 2 else None,
            answered_at=POST_AT + timedelta(hours=i + 3) if i % 2 else None,
        )
        for i in range(20)
    ]
    history = [
        CategoryHistoryRow(
            post_id=f"h{i}",
            title=f"财务管理第{i}期",
            published_at=POST_AT - timedelta(days=2 * i + 2),
            comments=100 + i,
            positive_share=0.4,
            negative_share=0.1,
            reads=5000 + i,
        )
        for i in range(6)
    ]
    t0 = time.perf_counter()
    digest = build_digest(
        post,
        items,
        enquiries,
        history,
        POST_AT,
        POST_AT + timedelta(hours=24),
        POST_AT + timedelta(hours=24, minutes=5),
    )
    t1 = time.perf_counter()
    render_markdown(digest)
    render_html(digest)
    size = len(render_docx(digest))
    return t1 - t0, time.perf_counter() - t1, size


def timed(items: list[FeedbackItem]) -> dict[str, float]:
    """One run: build and render seconds, from cold caches (every run analyses the same
    items; what an earlier run cached about their texts must not speed up the next)."""
    clear_caches()
    build, render, _size = build_all(items)
    return {"build": build, "render": render, "total": build + render}


def _label(n: int) -> str:
    return f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [pick(50_000, 1_000), pick(500_000, 10_000)]
    t = time.perf_counter()
    build_all(synthetic_items(50))  # jieba dictionary, OpenCC, sklearn imports
    note(f"first build (jieba/OpenCC/sklearn load): {time.perf_counter() - t:.2f} s")
    previous: tuple[int, Spread] | None = None
    for n in sizes:
        items = synthetic_items(n)
        note(f"{n:,} items:")
        since = "since reset" if reset_peak() else "since start"
        figures = repeat(partial(timed, items), warmup=partial(timed, items[:1_000]))
        report(f"digest.{_label(n)}", figures["total"], GOALS.get(n), unit="s", label="total")
        note(f"  build {figures['build'].describe('s')}; render {figures['render'].describe('s')}")
        report(
            f"digest.peak_rss_{_label(n)}", own_peak_mb(), unit="MB", label=f"peak RSS ({since})"
        )
        if previous is not None:
            pn, pt = previous
            growth = (figures["total"].median / pt.median) / (n / pn)
            report(
                f"digest.growth_{_label(pn)}_{_label(n)}",
                growth,
                unit="",
                label=f"growth: time ratio over size ratio x{n / pn:g} (1.0 = linear)",
            )
        previous = (n, figures["total"])


if __name__ == "__main__":
    main(sys.argv[1:])
