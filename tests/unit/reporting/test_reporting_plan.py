"""The plan of the next pushes (#17): topics from repeated or unanswered questions, the
problems customers met and what was read and shared most, with evidence; form remarks
as advice; coverage said truthfully."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting.reports import (
    DigestRow,
    DigestTheme,
    Report,
    build_report,
    evidence_text,
    idea_topic,
    translator,
    why_text,
)
from services.reporting.reports.explain import coverage_text
from shared.calendar import HolidayPolicy, SlotCalendar, biweekly_period
from tests.unit.reporting.fortnight import ANCHOR, GENERATED, fortnight_report, fortnight_rows

ZH = translator()


@pytest.fixture(scope="module")
def report() -> Report:
    return fortnight_report()


def test_six_slots_each_with_a_category_a_topic_evidence_and_a_reason(report: Report) -> None:
    plan = report.recommendations.plan
    assert [s.slot_key[8:18] for s in plan] == [
        "2026-12-09",
        "2026-12-11",
        "2026-12-14",
        "2026-12-16",
        "2026-12-18",
        "2026-12-21",
    ]
    for slot in plan:
        assert slot.category == slot.idea.category
        assert idea_topic(slot.idea, ZH)
        assert why_text(slot.idea, ZH)
        assert evidence_text(slot.idea, ZH)


def test_the_most_asked_intent_leads_with_its_questions_and_posts(report: Report) -> None:
    first = report.recommendations.plan[0].idea
    assert (first.source, first.intent, first.category) == ("questions", "开通与账号", "services")
    assert (first.evidence.asked, first.evidence.unanswered) == (4, 2)
    assert first.topic == "电子税务局账号怎么开通？"  # the first asked, on a tie
    assert [p.post_id for p in first.evidence.posts] == ["p-svc1", "p-svc2"]
    assert first.evidence.mentions == 9  # the 开通与账号 theme joins its questions
    text = evidence_text(first, ZH)
    assert "共 4 个提问（2 个未回复）" in text
    assert "《融智服务：电子税务局开通全流程》" in text
    assert "仍有 2 个未得到回复" in why_text(first, ZH)


def test_questions_of_an_older_digest_group_by_their_text(report: Report) -> None:
    (invoice,) = [s.idea for s in report.recommendations.plan if s.idea.category == "finance"][:1]
    assert invoice.source == "questions"
    assert invoice.intent is None
    assert (invoice.evidence.asked, invoice.evidence.unanswered) == (2, 1)
    assert invoice.evidence.mentions == 8  # the older theme 数电发票报销 is about them


def test_a_complaint_that_is_not_about_form_is_a_problem_to_solve(report: Report) -> None:
    (login,) = [s.idea for s in report.recommendations.plan if s.idea.topic == "登录不上去"]
    assert login.source == "problems"
    assert idea_topic(login, ZH) == "问题解决指南：登录不上去"


def test_form_remarks_are_advice_never_topics(report: Report) -> None:
    advice = {a.label: a for a in report.recommendations.advice}
    assert set(advice) == {"文章太长了", "推送时间"}  # flagged, and recognised in an older digest
    assert advice["文章太长了"].stance == "complaint"
    assert [p.post_id for p in advice["推送时间"].posts] == ["p-fin1"]
    topics = {i.topic for i in report.recommendations.topics}
    assert not topics & set(advice)


def test_a_form_complaint_is_never_the_top_idea_however_loud(report: Report) -> None:
    posts, aggs, digests = fortnight_rows()
    loud = DigestTheme(label="字太小看不清，排版太密", terms=["排版", "字体"], count=80)
    digests = [*digests, DigestRow(post_id="p-ind1", category="industry", themes=[loud])]
    current, previous = biweekly_period(ANCHOR, 0)
    built = build_report("biweekly", current, previous, posts, aggs, digests, GENERATED)
    rec = built.recommendations
    assert rec.plan[0].idea.topic != loud.label
    assert loud.label not in {i.topic for i in rec.topics}
    assert loud.label in {a.label for a in rec.advice}


def test_a_theme_from_a_posts_own_feedback_says_that_post_covered_it(report: Report) -> None:
    (social,) = [s.idea for s in report.recommendations.plan if s.idea.topic == "社保基数"]
    assert [(c.post.post_id, c.how) for c in social.covered_by] == [("p-hr1", "own_feedback")]
    text = coverage_text(social, ZH)
    assert "《2026 年社保基数调整要点》已涉及" in text
    assert "来自这篇推送自己的留言" in text
    for slot in report.recommendations.plan:  # no idea from a post's feedback claims "none"
        if slot.idea.evidence.posts:
            assert "没有推送涉及" not in coverage_text(slot.idea, ZH)


def test_the_most_read_and_shared_posts_get_follow_ups_with_their_praise(report: Report) -> None:
    follow = [s.idea for s in report.recommendations.plan if s.idea.source == "most_read"]
    assert [i.evidence.posts[0].post_id for i in follow] == ["p-fin1", "p-hr1"]
    assert follow[1].evidence.praise == 6  # 实用，已转发 under p-hr1
    assert [c.how for c in follow[0].covered_by] == ["same_post"]


def test_no_category_takes_more_than_two_slots_while_others_have_evidence(
    report: Report,
) -> None:
    cats = [s.category for s in report.recommendations.plan]
    assert max(cats.count(c) for c in set(cats)) == 2
    assert all(a != b for a, b in zip(cats, cats[1:], strict=False))


@pytest.mark.parametrize(
    ("policy", "first_days"),
    [
        (HolidayPolicy.KEEP, ["2026-09-30", "2026-10-02", "2026-10-05"]),
        (HolidayPolicy.SKIP, ["2026-09-30", "2026-10-09", "2026-10-12"]),  # 国庆节 1-8 Oct
    ],
)
def test_the_plan_follows_the_holiday_policy_of_the_calendar(
    policy: HolidayPolicy, first_days: list[str]
) -> None:
    posts, aggs, digests = fortnight_rows()
    built = build_report(
        "custom",
        *biweekly_period(date(2026, 9, 14), 0),
        posts,
        aggs,
        digests,
        datetime(2026, 9, 28, 6, 30, tzinfo=UTC),  # Mon 09-28 14:30, before 国庆节
        calendar=SlotCalendar(holiday_policy=policy),
    )
    assert [s.slot_key[8:18] for s in built.recommendations.plan][:3] == first_days
