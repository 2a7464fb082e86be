"""Digests in the read model keep #17's stance, intent and form flag, and older digests
(stored without them) still read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.reporting.domain.digests import digest_doc, digest_row
from shared.events import FeedbackDigestReady, FeedbackDigestReadyPayload
from shared.events.feedback import DigestQuestion, DigestTheme

END = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def _event() -> FeedbackDigestReady:
    return FeedbackDigestReady(
        occurred_at=END,
        producer="feedback",
        correlation_id="p1",
        payload=FeedbackDigestReadyPayload(
            digest_id="dg-p1",
            post_id="p1",
            window_start=END - timedelta(hours=24),
            window_end=END,
            themes=(
                DigestTheme(
                    label="账号开通",
                    terms=("开通", "账号"),
                    count=4,
                    stance="ask",
                    intent="开通与账号",
                ),
                DigestTheme(label="文章太长", count=2, stance="complaint", about_form=True),
            ),
            questions=(
                DigestQuestion(
                    text="怎么开通？",
                    asked_at=END - timedelta(hours=3),
                    answered=False,
                    intent="开通与账号",
                ),
            ),
        ),
    )


def test_stance_intent_and_form_flag_reach_the_builder() -> None:
    doc = digest_doc(_event(), None)
    assert doc is not None
    row = digest_row(doc, "services")
    assert row is not None
    ask, form = row.themes
    assert (ask.stance, ask.intent, ask.about_form) == ("ask", "开通与账号", False)
    assert (form.stance, form.intent, form.about_form) == ("complaint", None, True)
    assert row.questions[0].intent == "开通与账号"


def test_a_digest_stored_before_them_reads_as_unknown() -> None:
    doc = digest_doc(_event(), None)
    assert doc is not None
    for theme in doc["themes"]:
        for key in ("stance", "intent", "about_form"):
            del theme[key]
    del doc["questions"][0]["intent"]
    row = digest_row(doc, "services")
    assert row is not None
    assert [(t.stance, t.intent, t.about_form) for t in row.themes] == [
        (None, None, False),
        (None, None, False),
    ]
    assert row.questions[0].intent is None
