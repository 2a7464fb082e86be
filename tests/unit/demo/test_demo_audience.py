"""The simulated audience: deterministic, varied, inside the window, with duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from demo.audience import REPLY_LIMIT, load_bank, plan_feedback
from demo.feedback_bus import feedback_event
from services.feedback.domain.annotation import annotate
from shared.events import FeedbackKind


def test_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    first = plan_feedback("p-1", "finance", ordinal=0, seed=7)
    assert first == plan_feedback("p-1", "finance", ordinal=0, seed=7)
    assert first != plan_feedback("p-1", "finance", ordinal=0, seed=8)


def test_a_plan_mixes_praise_complaints_questions_spam_enquiries_and_metrics() -> None:
    for ordinal, category in enumerate(["industry", "management", "hr", "finance", "services"]):
        plan = plan_feedback(f"p-{ordinal}", category, ordinal=ordinal, seed=7)
        moods = {item.mood for item in plan}
        assert moods == {"praise", "complaint", "question", "spam", "enquiry", "metric"}
        assert all(timedelta(0) < item.offset <= timedelta(hours=20) for item in plan)
        assert len({item.key for item in plan}) == len(plan)
        assert sorted(item.resend for item in plan if item.resend != "none") == [
            "new_event",
            "same_event",
        ]


def test_replies_fit_in_the_window_and_at_most_one_ask_per_post_is_not_answered_in_time() -> None:
    for seed in range(20):
        plans = [
            plan_feedback(f"p-{n}", c, ordinal=n, seed=seed)
            for n, c in enumerate(["industry", "hr", "finance", "services", "management"] * 2)
        ]
        for ordinal, plan in enumerate(plans):
            asks = [i for i in plan if i.mood in ("question", "enquiry")]
            assert all(
                i.offset + i.reply_after <= timedelta(hours=23) for i in asks if i.reply_after
            )
            late = [i for i in asks if i.reply_after and i.reply_after > REPLY_LIMIT]
            never = [i for i in asks if i.reply_after is None]
            assert len(late) == (ordinal % 2)
            assert all(i.kind == "message" for i in late)
            assert len(never) == (ordinal % 4 == 2)
        # any four posts in a row: most asks are answered within 12 hours, some are not
        for first in range(len(plans) - 3):
            asks = [
                i for p in plans[first : first + 4] for i in p if i.mood in ("question", "enquiry")
            ]
            within = [i for i in asks if i.reply_after and i.reply_after <= REPLY_LIMIT]
            assert len(asks) // 2 < len(within) < len(asks)


def test_the_feedback_service_reads_spam_as_spam_and_questions_as_questions() -> None:
    bank = load_bank()
    assert all(annotate("comment", text).spam for text in bank.spam)
    questions = [qa.q for qas in bank.questions.values() for qa in qas]
    detected = [annotate("comment", q).question for q in questions]
    assert sum(detected) >= len(questions) * 0.9


def test_planned_items_become_valid_feedback_received_events() -> None:
    plan = plan_feedback("p-9", "hr", ordinal=0, seed=7)
    at = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    events = [feedback_event(item, post_id="p-9", at=at) for item in plan]
    kinds = {e.payload.kind for e in events}
    assert kinds == {FeedbackKind.COMMENT, FeedbackKind.MESSAGE, FeedbackKind.METRIC}
    assert all(e.payload.post_id == "p-9" and e.correlation_id == "p-9" for e in events)
