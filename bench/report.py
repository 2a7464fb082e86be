"""Benchmark: a biweekly report for 1,000 posts with 1,000,000 feedback events.

The timed part is what the service does when a report is due: fold the raw feedback
events into per-post figures (``aggregate_feedback``), build the report, and render it as
HTML (with SVG charts), XLSX, DOCX (with PNG charts), CSV and JSON. The period has 1,000
posts and so has the previous one; the events are spread over all of them. Goal (#15):
under 15 s.

Run: ``.venv/bin/python bench/report.py [EVENTS]`` (default 1,000,000; ``BENCH_QUICK=1``:
20,000 events, one run). The harness (:mod:`bench.support.harness`) discards a warm-up
pass on a fiftieth of the events and prints the median, min and max of three passes and
the peak RSS of this process, which runs the service's report code.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.harness import Goal, note, pick, repeat, report  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from services.reporting.reports import (  # noqa: E402
    CATEGORIES,
    DigestQuestion,
    DigestRow,
    DigestTheme,
    FeedbackEvent,
    PostRow,
    aggregate_feedback,
    build_report,
    render_csv,
    render_docx,
    render_html,
    render_xlsx,
    require_cjk_font,
)
from shared.calendar import Period, biweekly_period  # noqa: E402

POSTS = 1_000
EVENTS = 1_000_000
GOAL = Goal("<", 15, "s")
STEPS = ("aggregate", "build", "html", "xlsx", "docx", "csv", "json", "total")
FONT = require_cjk_font()  # as the service checks it at start-up
LABELS = [f"主题{i} topic" for i in range(40)]
TERMS = ["税务", "社保", "补贴", "融资", "招聘", "数字化", "合规", "成本", "培训", "绩效"]
QUESTIONS = [f"问题{i}：怎么办理？" for i in range(60)]


def _posts(n: int, period: Period, prefix: str, rng: random.Random) -> list[PostRow]:
    span = (period.end - period.start).total_seconds()
    out = []
    for i in range(n):
        at = period.start + timedelta(seconds=span * (i + 0.5) / n)
        out.append(
            PostRow(
                post_id=f"{prefix}{i:05d}",
                draft_id=f"d{prefix}{i:05d}",
                title=f"文章 {i} {rng.choice(TERMS)}",
                category=CATEGORIES[i % len(CATEGORIES)],
                published_at=at,
                slot_key=f"publish:{at.isoformat()}",
                lateness_seconds=rng.choice([0.0, 0.0, 30.0, 600.0]),
            )
        )
    return out


def _events(posts: list[PostRow], rng: random.Random) -> list[FeedbackEvent]:
    events: list[FeedbackEvent] = []
    asks: list[tuple[str, str, datetime]] = []
    for k in range(EVENTS):
        post = posts[k % len(posts)]
        assert post.published_at is not None
        at = post.published_at + timedelta(minutes=rng.randrange(0, 24 * 60))
        roll = rng.random()
        fid = f"f{k}"
        if roll < 0.4:
            reads = rng.randrange(100, 5000)
            events.append(
                FeedbackEvent(
                    post.post_id,
                    "metric",
                    at,
                    fid,
                    reads=reads,
                    likes=reads // 20,
                    shares=reads // 50,
                )
            )
        elif roll < 0.9 or not asks:
            kind = "comment" if roll < 0.7 else "message" if roll < 0.8 else "enquiry"
            sentiment = rng.choice(["positive", "neutral", "negative", None])
            events.append(FeedbackEvent(post.post_id, kind, at, fid, sentiment=sentiment))
            if kind != "comment":
                asks.append((post.post_id, fid, at))
        else:
            post_id, target, asked = asks[rng.randrange(len(asks))]
            reply_at = asked + timedelta(hours=rng.uniform(0.1, 20))
            events.append(FeedbackEvent(post_id, "reply", reply_at, fid, in_reply_to=target))
    return events


def _digests(posts: list[PostRow], rng: random.Random) -> list[DigestRow]:
    out = []
    for post in posts:
        assert post.published_at is not None
        themes = [
            DigestTheme(
                label=rng.choice(LABELS),
                terms=rng.sample(TERMS, 3),
                count=rng.randrange(1, 30),
                sample_quotes=["请问具体怎么做？"],
            )
            for _ in range(3)
        ]
        questions = []
        for _ in range(2):
            asked = post.published_at + timedelta(hours=rng.uniform(0, 20))
            answered = rng.random() < 0.7
            questions.append(
                DigestQuestion(
                    text=rng.choice(QUESTIONS),
                    asked_at=asked,
                    answered=answered,
                    reply_text="已回复" if answered else None,
                    reply_at=asked + timedelta(hours=rng.uniform(0.5, 16)) if answered else None,
                )
            )
        out.append(
            DigestRow(
                post_id=post.post_id, category=post.category, themes=themes, questions=questions
            )
        )
    return out


def _once(
    events: list[FeedbackEvent],
    posts: list[PostRow],
    digests: list[DigestRow],
    periods: tuple[Period, Period],
) -> dict[str, float]:
    """One timed pass: aggregate, build, and every renderer."""
    generated = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    marks = [time.perf_counter()]
    aggs = aggregate_feedback(events)
    marks.append(time.perf_counter())
    report = build_report("biweekly", *periods, posts, aggs, digests, generated)
    marks.append(time.perf_counter())
    render_html(report, font=FONT)
    marks.append(time.perf_counter())
    render_xlsx(report)
    marks.append(time.perf_counter())
    render_docx(report, font=FONT)
    marks.append(time.perf_counter())
    render_csv(report)
    marks.append(time.perf_counter())
    report.model_dump_json()
    marks.append(time.perf_counter())
    names = ("aggregate", "build", "html", "xlsx", "docx", "csv", "json")
    steps = {name: b - a for name, a, b in zip(names, marks[:-1], marks[1:], strict=True)}
    steps["total"] = marks[-1] - marks[0]
    return steps


def main(argv: list[str]) -> int:
    global EVENTS  # _events reads it
    EVENTS = int(argv[0]) if argv else pick(1_000_000, 20_000)
    note(f"biweekly report, {POSTS:,} posts per period, {EVENTS:,} feedback events")
    rng = random.Random(POSTS)
    current, previous = biweekly_period(date(2026, 11, 9), 1)
    posts = _posts(POSTS, current, "p", rng) + _posts(POSTS, previous, "q", rng)
    events = _events(posts, rng)
    digests = _digests(posts, rng)
    periods = (current, previous)
    since = "since reset" if reset_peak() else "since start"
    steps = repeat(
        lambda: _once(events, posts, digests, periods),
        warmup=lambda: _once(events[: max(1, len(events) // 50)], posts, digests, periods),
    )
    note(
        "  seconds per step, median (min-max): "
        + ", ".join(
            f"{k} {steps[k].median:.3f} ({steps[k].low:.3f}-{steps[k].high:.3f})" for k in STEPS
        )
    )
    report(f"report.biweekly_{_short(EVENTS)}", steps["total"], GOAL, label="total")
    report("report.peak_rss", own_peak_mb(), unit="MB", label=f"peak RSS ({since}, inputs held)")
    return 0


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
