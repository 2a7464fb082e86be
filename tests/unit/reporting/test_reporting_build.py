"""build_report: every figure of the tables against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from services.reporting.reports import (
    CATEGORIES,
    DigestRow,
    PostFeedbackAgg,
    PostRow,
    Report,
    build_report,
)
from shared.calendar import SlotCalendar, biweekly_period, monthly_period, weekly_period

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


class TestPlan:
    """The weekly fixture's plan; the plan's rules in depth are in test_reporting_plan."""

    def test_six_slots_of_the_calendar_after_the_report(self, weekly: Report) -> None:
        plan = weekly.recommendations.plan
        assert [s.slot_key for s in plan] == [
            "publish:2026-12-09T11:30+08:00",  # generated Mon 12-07 14:30: Mon's slot is gone
            "publish:2026-12-11T11:30+08:00",
            "publish:2026-12-14T11:30+08:00",
            "publish:2026-12-16T11:30+08:00",
            "publish:2026-12-18T11:30+08:00",
            "publish:2026-12-21T11:30+08:00",
        ]

    def test_questions_asked_twice_or_unanswered_come_first(self, weekly: Report) -> None:
        first = weekly.recommendations.plan[0].idea
        assert (first.source, first.topic, first.category) == (
            "questions",
            "补贴怎么申报？",
            "industry",
        )
        assert (first.evidence.asked, first.evidence.unanswered) == (2, 1)
        assert {p.post_id for p in first.evidence.posts} >= {"p1", "p2"}
        # 行业政策 (terms 补贴, 申报) is about these questions: its mentions join them
        assert first.evidence.mentions == 8

    def test_a_theme_from_a_posts_own_feedback_is_covered_by_that_post(
        self, weekly: Report
    ) -> None:
        (social,) = [s.idea for s in weekly.recommendations.plan if s.idea.topic == "社保政策"]
        assert [(c.post.post_id, c.how) for c in social.covered_by] == [("p2", "own_feedback")]

    def test_the_largest_theme_gets_a_slot_before_rotation_fills_the_rest(
        self, weekly: Report
    ) -> None:
        plan = weekly.recommendations.plan
        sources = [s.idea.source for s in plan]
        assert "税务筹划" in [s.idea.topic for s in plan]
        assert sources.count("rotation") == 2
        assert [s.category for s in plan].count("industry") == 3  # a third before rotation
        rotated = {s.category for s in plan if s.idea.source == "rotation"}
        assert rotated <= {"management", "finance", "services"}

    def test_no_two_slots_in_a_row_share_a_category_where_avoidable(self, weekly: Report) -> None:
        cats = [s.category for s in weekly.recommendations.plan]
        assert all(a != b for a, b in zip(cats, cats[1:], strict=False))


class TestNotesAndJson:
    def test_notes_state_the_headline_failures_and_breaches(self, weekly: Report) -> None:
        assert [n.code for n in weekly.notes] == ["summary", "failed", "breached"]
        summary, failed, breached = weekly.notes
        assert (summary.params["posts"], summary.params["reads"]) == (3, 2000)
        assert failed.params == {"count": 1, "posts": "融资渠道盘点"}
        assert breached.params == {"count": 2, "limit": "12"}

    def test_report_round_trips_through_json(self, weekly: Report) -> None:
        assert Report.model_validate_json(weekly.model_dump_json()) == weekly
        assert weekly.key == "report:weekly:2026-W49"
        assert weekly.title == "运营周报 · 2026-W49"

    def test_a_report_stored_before_the_plan_still_loads(self, weekly: Report) -> None:
        old = weekly.model_dump(mode="json")
        old["notes"] = ["3 post(s) published in 2026-W49"]
        old["recommendations"] = {"slots": 3, "method": "score", "mix": [], "topics": []}
        loaded = Report.model_validate(old)
        assert loaded.notes[0].code == "text"
        assert loaded.notes[0].params == {"text": "3 post(s) published in 2026-W49"}
        assert loaded.recommendations.plan == []


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
        assert len(report.recommendations.plan) == 6
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
        assert len(report.recommendations.plan) == 6

    def test_the_calendar_and_the_number_of_slots_can_be_given(
        self, posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]
    ) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        calendar = SlotCalendar(weekdays=(1, 3), times=(time(9, 0),))
        report = build_report(
            "weekly",
            current,
            previous,
            posts,
            aggs,
            digests,
            GENERATED,
            calendar=calendar,
            plan_slots=3,
        )
        assert [s.slot_key for s in report.recommendations.plan] == [
            "publish:2026-12-08T09:00+08:00",
            "publish:2026-12-10T09:00+08:00",
            "publish:2026-12-15T09:00+08:00",
        ]


class TestEmptyPeriod:
    def test_empty_period_says_so_and_plans_the_five_categories_on_rotation(self) -> None:
        current, previous = biweekly_period(date(2026, 11, 9), 1)
        report = build_report("biweekly", current, previous, [], [], [], GENERATED)
        assert [n.code for n in report.notes] == ["no_posts"]
        assert len(report.categories) == 5
        assert report.totals.posts == 0
        assert report.totals.engagement_rate is None
        rec = report.recommendations
        assert [s.idea.source for s in rec.plan] == ["rotation"] * 6
        assert sorted({s.category for s in rec.plan}) == sorted(CATEGORIES)
        assert rec.topics == []
        assert rec.advice == []

    def test_posts_without_feedback_or_reads_fall_back_to_rotation(
        self, posts: list[PostRow]
    ) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        report = build_report("weekly", current, previous, posts, [], [], GENERATED)
        assert {s.idea.source for s in report.recommendations.plan} == {"rotation"}
        assert any(n.code == "no_digests" for n in report.notes)

    def test_naive_generated_at_is_refused(self) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        with pytest.raises(ValueError, match="aware"):
            build_report("weekly", current, previous, [], [], [], GENERATED.replace(tzinfo=None))
