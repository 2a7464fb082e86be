"""Topic ideas from reports and feedback digests, merged and ranked for editors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.drafting.domain.topics import (
    IdeaSource,
    ideas_from_digest,
    ideas_from_report,
    rank_ideas,
    topic_key,
)
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    Category,
    DigestQuestion,
    DigestTheme,
    FeedbackDigestReadyPayload,
    ReportKind,
    ReportReadyPayload,
    TopicIdea,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HALF_LIFE = timedelta(days=14)


def report(*ideas: TopicIdea, end: datetime = NOW, report_id: str = "rep-1") -> ReportReadyPayload:
    return ReportReadyPayload(
        report_id=report_id,
        kind=ReportKind.BIWEEKLY,
        period_start=end - timedelta(days=14),
        period_end=end,
        topic_ideas=ideas,
    )


def digest(
    themes: tuple[DigestTheme, ...] = (),
    questions: tuple[DigestQuestion, ...] = (),
    *,
    end: datetime = NOW,
) -> FeedbackDigestReadyPayload:
    return FeedbackDigestReadyPayload(
        digest_id="dg-1",
        post_id="p-1",
        category=Category.HR,
        window_start=end - timedelta(hours=24),
        window_end=end,
        themes=themes,
        questions=questions,
    )


def test_report_ideas_are_weighted_against_the_reports_best_idea() -> None:
    records = ideas_from_report(
        report(TopicIdea(topic="个税汇算", score=8.0), TopicIdea(topic="社保基数", score=2.0)),
        account=DEFAULT_ACCOUNT,
    )

    assert [(r.topic, r.weight, r.source) for r in records] == [
        ("个税汇算", 1.0, IdeaSource.REPORT),
        ("社保基数", 0.25, IdeaSource.REPORT),
    ]
    assert records[0].id == "report:rep-1:0"


def test_report_ideas_without_scores_keep_the_reports_order() -> None:
    records = ideas_from_report(
        report(TopicIdea(topic="甲"), TopicIdea(topic="乙")), account=DEFAULT_ACCOUNT
    )

    assert records[0].weight > records[1].weight > 0


def test_digest_themes_and_questions_become_ideas_unanswered_questions_count_more() -> None:
    records = ideas_from_digest(
        digest(
            themes=(
                DigestTheme(label="社保基数调整", count=12),
                DigestTheme(label="发票", count=3),
            ),
            questions=(
                DigestQuestion(text="年终奖怎么计税？", asked_at=NOW, answered=False),
                DigestQuestion(text="哪天开始申报？", asked_at=NOW, answered=True),
            ),
        ),
        account=DEFAULT_ACCOUNT,
    )

    by_topic = {r.topic: r for r in records}
    assert by_topic["社保基数调整"].source is IdeaSource.FEEDBACK_THEME
    assert by_topic["社保基数调整"].weight > by_topic["发票"].weight
    assert by_topic["年终奖怎么计税？"].weight > by_topic["哪天开始申报？"].weight
    assert all(r.category is Category.HR for r in records)
    assert "12 comments on post p-1" in by_topic["社保基数调整"].reason


def test_the_same_topic_from_two_documents_is_merged_and_rises() -> None:
    records = [
        *ideas_from_report(
            report(
                TopicIdea(topic="年终奖怎么计税", score=5.0), TopicIdea(topic="发票", score=5.0)
            ),
            account=DEFAULT_ACCOUNT,
        ),
        *ideas_from_digest(
            digest(
                questions=(DigestQuestion(text="年终奖怎么计税？", asked_at=NOW, answered=False),)
            ),
            account=DEFAULT_ACCOUNT,
        ),
    ]

    ranked = rank_ideas(records, now=NOW, half_life=HALF_LIFE)

    assert [idea.topic for idea in ranked] == ["年终奖怎么计税", "发票"]
    assert {r.source for r in ranked[0].records} == {
        IdeaSource.REPORT,
        IdeaSource.FEEDBACK_QUESTION,
    }


def test_older_ideas_fade_by_half_per_half_life() -> None:
    old = ideas_from_report(
        report(TopicIdea(topic="旧话题", score=1.0), end=NOW - HALF_LIFE), account=DEFAULT_ACCOUNT
    )
    new = ideas_from_report(
        report(TopicIdea(topic="新话题", score=1.0), report_id="rep-2"), account=DEFAULT_ACCOUNT
    )

    ranked = rank_ideas([*old, *new], now=NOW, half_life=HALF_LIFE)

    assert [(i.topic, i.score) for i in ranked] == [("新话题", 1.0), ("旧话题", 0.5)]


def test_topics_are_compared_without_case_width_spaces_or_punctuation() -> None:
    assert topic_key("ＡＩ 财税？") == topic_key("ai财税") == "ai财税"


def test_a_blank_topic_is_ignored() -> None:
    assert ideas_from_report(report(TopicIdea(topic="  ？！ ")), account=DEFAULT_ACCOUNT) == []
