"""Valid sample events of every type, for tests and benchmarks, and builders of the
events tests vary (:func:`draft_submitted`, :func:`draft_approved`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events import (
    Category,
    ContentSnapshot,
    DraftApproved,
    DraftApprovedPayload,
    DraftRejected,
    DraftRejectedPayload,
    DraftSubmitted,
    DraftSubmittedPayload,
    EventEnvelope,
    FailureCode,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
)
from tests.support.audience_events import AUDIENCE_EVENTS, audience_sample

NOW = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
CONTENT = ContentSnapshot(
    title="2026年个税汇算清缴要点",
    category=Category.FINANCE,
    digest="三分钟看懂今年的汇算清缴。",
    body_html="<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
    author="erin",
)
HASH = CONTENT.content_hash()


def sample(event_type: str, correlation_id: str | None = None) -> EventEnvelope:
    """One valid event of ``event_type``."""
    cid = correlation_id or f"c-{uuid.uuid4().hex[:8]}"
    common = {"occurred_at": NOW, "correlation_id": cid}
    if event_type == "draft.submitted":
        return DraftSubmitted(
            producer="drafting",
            payload=DraftSubmittedPayload(
                draft_id=cid,
                revision=1,
                content=CONTENT,
                content_hash=HASH,
                submitted_by="erin",
                submitted_at=NOW,
            ),
            **common,
        )
    if event_type == "draft.approved":
        return DraftApproved(
            producer="review",
            payload=DraftApprovedPayload(
                draft_id=cid,
                revision=1,
                review_id="r-1",
                reviewer="rita",
                approved_at=NOW,
                content=CONTENT,
                content_hash=HASH,
            ),
            **common,
        )
    if event_type == "draft.rejected":
        return DraftRejected(
            producer="review",
            payload=DraftRejectedPayload(
                draft_id=cid, revision=1, review_id="r-1", reviewer="rita", rejected_at=NOW
            ),
            **common,
        )
    if event_type == "post.published":
        return PostPublished(
            producer="publisher",
            payload=PostPublishedPayload(
                post_id=cid,
                draft_id=cid,
                title="标题",
                category=Category.HR,
                channel="local",
                published_at=NOW,
                slot_key="publish:2026-11-23T11:30+08:00",
                slot_at=NOW,
                lateness_seconds=0.4,
                content_hash=HASH,
            ),
            **common,
        )
    if event_type == "post.failed":
        return PostFailed(
            producer="publisher",
            payload=PostFailedPayload(
                post_id=cid,
                draft_id=cid,
                code=FailureCode.MISSED,
                reason="all replicas were down at 11:30",
                failed_at=NOW,
            ),
            **common,
        )
    if event_type == "feedback.received":
        return FeedbackReceived(
            producer="crm",
            payload=FeedbackReceivedPayload(
                source="crm",
                source_id=uuid.uuid4().hex,
                kind=FeedbackKind.COMMENT,
                post_id=cid,
                text="请问社保基数怎么调整？",
                received_at=NOW,
            ),
            **common,
        )
    if event_type == "feedback.digest.ready":
        return FeedbackDigestReady(
            producer="feedback",
            payload=FeedbackDigestReadyPayload(
                digest_id=f"dg-{cid}", post_id=cid, window_start=NOW, window_end=NOW
            ),
            **common,
        )
    if event_type == "report.ready":
        return ReportReady(
            producer="reporting",
            payload=ReportReadyPayload(
                report_id=f"rep-{cid}", kind=ReportKind.WEEKLY, period_start=NOW, period_end=NOW
            ),
            **common,
        )
    if event_type in AUDIENCE_EVENTS:
        return audience_sample(event_type, cid, NOW)
    raise ValueError(event_type)


def draft_submitted(
    content: ContentSnapshot = CONTENT,
    *,
    draft_id: str = "d-1",
    revision: int = 1,
    by: str = "erin",
    at: datetime = NOW,
    wished: datetime | None = NOW,
    writers: tuple[str, ...] = (),
) -> DraftSubmitted:
    """``draft.submitted`` of ``content`` as drafting sends it (``writers`` from v1.1)."""
    return DraftSubmitted(
        producer="drafting",
        correlation_id=draft_id,
        occurred_at=at,
        payload=DraftSubmittedPayload(
            draft_id=draft_id,
            revision=revision,
            content=content,
            content_hash=content.content_hash(),
            wished_slot=wished,
            submitted_by=by,
            submitted_at=at,
            writers=writers,
        ),
    )


def draft_approved(
    content: ContentSnapshot = CONTENT,
    *,
    draft_id: str = "d-1",
    revision: int = 1,
    slot: datetime | None = NOW,
    content_hash: str | None = None,
    at: datetime = datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
) -> DraftApproved:
    """``draft.approved`` of ``content`` (rita approved; ``content_hash`` to forge one)."""
    return DraftApproved(
        producer="review",
        correlation_id=draft_id,
        occurred_at=at,
        payload=DraftApprovedPayload(
            draft_id=draft_id,
            revision=revision,
            review_id=f"r-{draft_id}",
            reviewer="rita",
            approved_at=at,
            content=content,
            content_hash=content_hash or content.content_hash(),
            slot=slot,
        ),
    )
