"""A submitted draft revision becomes a pending review: its id, slot and findings."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.review.domain.deadline import ReviewCalendar, SlotDecision
from services.review.domain.findings import ReviewFinding
from services.review.domain.review import Review
from shared.events import DraftSubmitted

__all__ = ["new_review", "review_id_for"]

_IDS = uuid.UUID("5f0c1a52-3f1e-4d8e-9a43-7b2d0c6e9f10")


def review_id_for(draft_id: str, revision: int) -> str:
    """The one review of a draft revision (deterministic: redeliveries name the same)."""
    return "rv-" + uuid.uuid5(_IDS, f"{draft_id}\x1f{revision}").hex[:20]


def new_review(
    event: DraftSubmitted,
    *,
    findings: list[ReviewFinding],
    lexicon_version: str,
    body_text: str,
    slot: SlotDecision,
    calendar: ReviewCalendar,
    now: datetime,
    account: str | None = None,
) -> Review:
    """The pending review of a submitted revision, of ``account`` (the event's when
    ``None``; ``calendar`` is that account's)."""
    p = event.payload
    review = Review(
        id=review_id_for(p.draft_id, p.revision),
        account=event.account if account is None else account,
        draft_id=p.draft_id,
        revision=p.revision,
        correlation_id=event.correlation_id,
        submitted_event_id=str(event.event_id),
        content=p.content.model_dump(mode="json"),
        content_hash=p.content_hash,
        title=p.content.title,
        category=str(p.content.category),
        author=p.content.author,
        body_text=body_text,
        submitted_by=p.submitted_by,
        submitted_at=p.submitted_at,
        writers=sorted({*p.writers, p.submitted_by}) if p.writers else [],
        received_at=now,
        wished_slot=p.wished_slot,
        requested_slot=slot.requested,
        slot_at=slot.slot,
        slot_key=calendar.key(slot.slot),
        deadline_at=slot.deadline,
        cutoff_at=slot.cutoff,
        late=slot.late,
        slot_action=slot.action,
        slot_note=slot.describe(calendar),
        findings=findings,
        lexicon_version=lexicon_version,
        blocking=any(f.blocking for f in findings),
        block_findings=sum(1 for f in findings if f.blocking),
        warn_findings=sum(1 for f in findings if not f.blocking),
    )
    review.record_step(now, "submitted", p.submitted_by, review.slot_note)
    return review
