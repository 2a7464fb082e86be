"""build_report: every figure of the tables against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting.reports import DigestRow, PostFeedbackAgg, PostRow, Report, build_report
from shared.calendar import biweekly_period, monthly_period, weekly_period

GENERATED = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


@pytest.fixture
def weekly(posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]) -> Report:
    current, previous = weekly_period(date(2026, 12, 7))
    return build_report(
        "weekly", current, previous, posts, aggs, digests, GENERATED, key="report:weekly:2026-W49"
    )


def _row(report: Report, category: str) -> dict[str, object]:
    (row,) = [r for r in report.categories if r.category == category]
    return row.metrics.model_dump()


def _prev(report: Report, category: str) -> dict[str, object]:
    (row,) = [r for r in report.previous_categories if r.category == category]
    return row.metrics.model_dump()


class TestCategoryTable:
    def test_industry_sums_two_posts(self, weekly: Report) -> None:
        assert _row(weekly, "industry") == {
            "posts": 2,
            "failed": 0,
            "reads": 1600,
            "likes": 80,
            "shares": 30,
            "comments": 50,
            "messages": 4,
            "enquiries": 6,
            "replies": 14,
            "replies_within_12h": 8,
            "reply_rate_12h": pytest.approx(0.8),
            "enquiries_breached": 1,
            "positive": 30,
            "neutral": 20,
            "negative": 10,
            "positive_share": pytest.approx(0.5),
            "neutral_share": pytest.approx(1 / 3),
            "negative_share": pytest.approx(1 / 6),
            "engagement_rate": pytest.approx(0.1),
            "reads_per_post": pytest.approx(800.0),
        }

    def test_hr_single_post(self, weekly: Report) -> None:
        assert _row(weekly, "hr") == {
            "posts": 1,
            "failed": 0,
            "reads": 400,
            "likes": 10,
            "shares": 6,
            "comments": 4,
            "messages": 1,
            "enquiries": 1,
            "replies": 2,
            "replies_within_12h": 1,
            "reply_rate_12h": pytest.approx(0.5),
            "enquiries_breached": 1,
            "positive": 2,
            "neutral": 3,
            "negative": 1,
            "positive_share": pytest.approx(1 / 3),
            "neutral_share": pytest.approx(0.5),
            "negative_share": pytest.approx(1 / 6),
            "engagement_rate": pytest.approx(0.05),
            "reads_per_post": pytest.approx(400.0),
        }

    def test_failed_post_counts_as_failed_and_its_feedback_is_ignored(self, weekly: Report) -> None:
        finance = _row(weekly, "finance")
        assert finance["posts"] == 0
        assert finance["failed"] == 1
        assert finance["reads"] == 0
        assert finance["engagement_rate"] is None
        assert finance["reply_rate_12h"] is None
        assert finance["reads_per_post"] is None
        assert finance["positive_share"] is None

    def test_categories_without_posts_are_zero_rows_in_plan_order(self, weekly: Report) -> None:
        assert [r.category for r in weekly.categories] == [
            "industry",
            "management",
            "hr",
            "finance",
            "services",
        ]
        for category in ("management", "services"):
            row = _row(weekly, category)
            assert row["posts"] == row["failed"] == row["reads"] == 0
            assert row["engagement_rate"] is None

    def test_totals(self, weekly: Report) -> None:
        assert weekly.totals.model_dump() == {
            "posts": 3,
            "failed": 1,
            "reads": 2000,
            "likes": 90,
            "shares": 36,
            "comments": 54,
            "messages": 5,
            "enquiries": 7,
            "replies": 16,
            "replies_within_12h": 9,
            "reply_rate_12h": pytest.approx(0.75),
            "enquiries_breached": 2,
            "positive": 32,
            "neutral": 23,
            "negative": 11,
            "positive_share": pytest.approx(32 / 66),
            "neutral_share": pytest.approx(23 / 66),
            "negative_share": pytest.approx(11 / 66),
            "engagement_rate": pytest.approx(0.09),
            "reads_per_post": pytest.approx(2000 / 3),
        }

    def test_previous_period_table(self, weekly: Report) -> None:
        industry, hr, management = (
            _prev(weekly, "industry"),
            _prev(weekly, "hr"),
            _prev(weekly, "management"),
        )
        assert (industry["posts"], industry["reads"]) == (1, 800)
        assert industry["engagement_rate"] == pytest.approx(60 / 800)
        assert industry["reply_rate_12h"] == pytest.approx(3 / 4)
        assert hr["engagement_rate"] == pytest.approx(30 / 500)
        assert hr["reply_rate_12h"] == pytest.approx(1.0)
        assert management["engagement_rate"] == pytest.approx(15 / 300)
        assert management["reply_rate_12h"] == pytest.approx(0.0)
        t = weekly.previous_totals
        assert (t.posts, t.failed, t.reads, t.likes, t.shares, t.comments) == (
            3,
            0,
            1600,
            69,
            16,
            20,
        )
        assert (t.messages, t.enquiries, t.replies_within_12h) == (3, 4, 5)
        assert t.reply_rate_12h == pytest.approx(5 / 7)
        assert t.engagement_rate == pytest.approx(105 / 1600)


class TestPostRows:
    def test_each_post_of_the_period_in_time_order(self, weekly: Report) -> None:
        assert [p.post_id for p in weekly.posts] == ["p1", "p2", "p4", "p3"]

    def test_post_figures(self, weekly: Report) -> None:
        p1, p2, p4, p3 = weekly.posts
        assert (p1.reads, p1.likes, p1.shares, p1.comments) == (1000, 50, 20, 30)
        assert p1.engagement_rate == pytest.approx(0.1)
        assert p1.reply_rate_12h == pytest.approx(0.8)
        assert (p1.positive, p1.neutral, p1.negative) == (20, 15, 5)
        assert p2.engagement_rate == pytest.approx(0.05)
        assert p2.lateness_seconds == 120.0
        assert p2.enquiries_breached == 1
        assert p3.engagement_rate == pytest.approx(0.1)
        assert p3.reply_rate_12h is None
        assert p4.status == "failed"
        assert (p4.reads, p4.has_feedback, p4.engagement_rate) == (0, False, None)
        assert p1.status == "published"
        assert p1.has_feedback


def _change(report: Report, scope: str, metric: str) -> tuple[object, ...]:
    (c,) = [c for c in report.changes if c.scope == scope and c.metric == metric]
    return (c.current, c.previous, c.delta, c.delta_pct)


class TestChanges:
    def test_counts_absolute_and_percent(self, weekly: Report) -> None:
        assert _change(weekly, "industry", "reads") == (1600, 800, 800, pytest.approx(100.0))
        assert _change(weekly, "industry", "posts") == (2, 1, 1, pytest.approx(100.0))
        assert _change(weekly, "hr", "reads") == (400, 500, -100, pytest.approx(-20.0))
        assert _change(weekly, "management", "reads") == (0, 300, -300, pytest.approx(-100.0))
        assert _change(weekly, "total", "reads") == (2000, 1600, 400, pytest.approx(25.0))
        assert _change(weekly, "total", "enquiries") == (7, 4, 3, pytest.approx(75.0))
        assert _change(weekly, "total", "likes") == (90, 69, 21, pytest.approx(21 / 69 * 100))

    def test_rates(self, weekly: Report) -> None:
        assert _change(weekly, "industry", "engagement_rate") == pytest.approx(
            (0.1, 0.075, 0.025, 100 / 3)
        )
        assert _change(weekly, "industry", "reply_rate_12h") == pytest.approx(
            (0.8, 0.75, 0.05, 0.05 / 0.75 * 100)
        )
        assert _change(weekly, "hr", "engagement_rate") == pytest.approx(
            (0.05, 0.06, -0.01, -100 / 6)
        )
        assert _change(weekly, "total", "engagement_rate") == pytest.approx(
            (0.09, 0.065625, 0.024375, 0.024375 / 0.065625 * 100)
        )

    def test_previous_zero_or_unknown_gives_no_percent(self, weekly: Report) -> None:
        assert _change(weekly, "finance", "reads") == (0, 0, 0, None)
        assert _change(weekly, "services", "posts") == (0, 0, 0, None)
        assert _change(weekly, "management", "engagement_rate") == (None, 0.05, None, None)
        assert _change(weekly, "management", "reply_rate_12h") == (None, 0.0, None, None)

    def test_every_metric_for_every_scope(self, weekly: Report) -> None:
        scopes = {c.scope for c in weekly.changes}
        assert scopes == {"industry", "management", "hr", "finance", "services", "total"}
        assert len(weekly.changes) == 6 * 11


class TestThemesAndQuestions:
    def test_themes_merge_by_label_and_by_top_terms(self, weekly: Report) -> None:
        assert [(t.label, t.count, t.digests, t.categories) for t in weekly.themes] == [
            ("税务筹划", 16, 2, ["industry", "hr"]),
            ("行业政策", 8, 2, ["industry"]),
            ("社保政策", 6, 1, ["hr"]),
        ]
        assert [t.share for t in weekly.themes] == pytest.approx([16 / 30, 8 / 30, 6 / 30])
        assert weekly.themes[0].terms == ["税务", "筹划", "节税", "社保"]
        assert weekly.themes[1].terms == ["政策", "申报", "补贴"]
        assert weekly.themes[0].sample_quotes == ["怎么合法节税？"]

    def test_other_periods_and_failed_posts_bring_no_themes(self, weekly: Report) -> None:
        labels = {t.label for t in weekly.themes}
        assert "旧主题" not in labels
        assert "融资" not in labels

    def test_questions_with_replies_in_asking_order(self, weekly: Report) -> None:
        got = [
            (q.post_id, q.text, q.answered, q.reply_text, q.reply_hours, q.within_12h)
            for q in weekly.questions
        ]
        assert got == [
            ("p1", "补贴怎么申报？", True, "请联系客服", pytest.approx(4.0), True),
            ("p1", "有线下活动吗", False, None, None, False),
            ("p2", "补贴怎么申报?", False, None, None, False),
            ("p3", "数字化转型案例", True, "见下期", pytest.approx(16.0), False),
        ]
        assert weekly.questions[0].post_title == "行业动态：税务新规解读"
        assert weekly.questions[0].category == "industry"


class TestRecommendations:
    def test_mix_scores_are_transparent(self, weekly: Report) -> None:
        rec = weekly.recommendations
        assert rec.slots == 3
        assert rec.fallback_reason is None
        assert "0.45" in rec.method
        mix = {m.category: m for m in rec.mix}
        # interest: industry 12+5+2 questions + 3+1 = 23; hr 4+6+1 = 11; total 34
        assert mix["industry"].interest == 23
        assert mix["hr"].interest == 11
        assert mix["industry"].interest_share == pytest.approx(23 / 34)
        # engagement rates 0.10 and 0.05 → shares 2/3 and 1/3
        assert mix["industry"].engagement_share == pytest.approx(2 / 3)
        assert mix["hr"].engagement_share == pytest.approx(1 / 3)
        assert mix["industry"].score == pytest.approx(0.45 * 2 / 3 + 0.45 * 23 / 34 + 0.02)
        assert mix["hr"].score == pytest.approx(0.45 / 3 + 0.45 * 11 / 34 + 0.02)
        assert mix["finance"].score == pytest.approx(0.02)
        assert sum(m.score for m in rec.mix) == pytest.approx(1.0)

    def test_mix_splits_the_next_weeks_three_slots(self, weekly: Report) -> None:
        slots = {m.category: m.slots for m in weekly.recommendations.mix}
        assert slots == {"industry": 2, "management": 0, "hr": 1, "finance": 0, "services": 0}

    def test_topics_skip_covered_themes_and_rank_questions(self, weekly: Report) -> None:
        topics = [(t.source, t.text, t.category) for t in weekly.recommendations.topics]
        # 社保政策 is covered by p2's title (社保 + 基数), so it is not proposed.
        assert topics == [
            ("theme", "税务筹划", "industry"),
            ("theme", "行业政策", "industry"),
            ("question", "补贴怎么申报？", "industry"),
            ("question", "有线下活动吗", "industry"),
            ("question", "数字化转型案例", "industry"),
        ]
        first, _, asked, *_ = weekly.recommendations.topics
        assert first.figures["mentions"] == 16
        assert first.figures["posts"] == 2
        assert first.figures["share"] == pytest.approx(0.5333)
        assert asked.figures == {"asked": 2, "unanswered": 1}


class TestNotesAndJson:
    def test_notes_state_the_headline_failures_and_breaches(self, weekly: Report) -> None:
        text = " ".join(weekly.notes)
        assert "3 post(s) published in 2026-W49" in text
        assert "2000 reads" in text
        assert "p4" in text
        assert "2 enquiry(ies) were not answered within 12 hours" in text

    def test_report_round_trips_through_json(self, weekly: Report) -> None:
        assert Report.model_validate_json(weekly.model_dump_json()) == weekly
        assert weekly.key == "report:weekly:2026-W49"
        assert weekly.title.endswith("2026-W49")


class TestOtherKinds:
    def test_biweekly_covers_two_weeks_against_the_two_before(
        self, posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]
    ) -> None:
        current, previous = biweekly_period(date(2026, 11, 9), 1)
        report = build_report("biweekly", current, previous, posts, aggs, digests, GENERATED)
        assert report.totals.posts == 6
        assert report.totals.failed == 1
        assert report.totals.reads == 3600
        assert report.totals.engagement_rate == pytest.approx((180 + 105) / 3600)
        assert report.previous_totals.posts == 1
        assert report.previous_totals.reads == 100
        assert _change(report, "total", "reads") == (3600, 100, 3500, pytest.approx(3500.0))
        assert report.recommendations.slots == 6
        assert sum(m.slots for m in report.recommendations.mix) == 6
        # q1's digest now belongs to the period
        assert report.themes[0].label == "旧主题"
        assert report.themes[0].count == 100

    def test_monthly_splits_the_months_thirteen_push_days(
        self, posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]
    ) -> None:
        current, previous = monthly_period(date(2026, 12, 1))
        report = build_report("monthly", current, previous, posts, aggs, digests, GENERATED)
        # November local: r1, q1, q2, q3, p1 (11-30 11:30 local); not p2..p4 (December)
        assert [p.post_id for p in report.posts] == ["r1", "q1", "q2", "q3", "p1"]
        assert report.totals.reads == 100 + 800 + 500 + 300 + 1000
        assert report.previous_totals.posts == 0
        assert _change(report, "total", "posts") == (5, 0, 5, None)
        # December 2026 has 4 Mondays, 5 Wednesdays, 4 Fridays
        assert report.recommendations.slots == 13
        assert sum(m.slots for m in report.recommendations.mix) == 13

    def test_slots_can_be_given(
        self, posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]
    ) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        report = build_report("weekly", current, previous, posts, aggs, digests, GENERATED, slots=6)
        assert sum(m.slots for m in report.recommendations.mix) == 6


class TestEmptyPeriod:
    def test_empty_period_says_so_and_falls_back_to_even_mix(self) -> None:
        current, previous = biweekly_period(date(2026, 11, 9), 1)
        report = build_report("biweekly", current, previous, [], [], [], GENERATED)
        assert report.notes
        assert "No posts were published in this period" in report.notes[0]
        assert len(report.categories) == 5
        assert report.totals.posts == 0
        assert report.totals.engagement_rate is None
        rec = report.recommendations
        assert rec.fallback_reason is not None
        assert "even mix" in rec.fallback_reason
        assert [m.slots for m in rec.mix] == [2, 1, 1, 1, 1]
        assert rec.topics == []

    def test_posts_without_any_feedback_fall_back_too(self, posts: list[PostRow]) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        report = build_report("weekly", current, previous, posts, [], [], GENERATED)
        assert report.recommendations.fallback_reason is not None
        assert [m.slots for m in report.recommendations.mix] == [1, 1, 1, 0, 0]
        assert any("No core-issues documents" in n for n in report.notes)

    def test_naive_generated_at_is_refused(self) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        with pytest.raises(ValueError, match="aware"):
            build_report("weekly", current, previous, [], [], [], GENERATED.replace(tzinfo=None))
