"""Facts a draft keeps about its review and publishing: the submission it sent, the
reviewer's decision, the publication or the failure (immutable values, copied from the
events), and what applying one did to the draft (:class:`FactOutcome`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.events import FindingRef

__all__ = ["Approval", "FactOutcome", "Failure", "Publication", "Rejection", "Submission"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Submission(_Record):
    """A revision sent for review."""

    revision: int
    content_hash: str
    submitted_by: str
    submitted_at: datetime
    wished_slot: datetime | None = None
    event_id: str
    writers: tuple[str, ...] = ()  # who wrote, rewrote or submitted (empty: before #11)


class Approval(_Record):
    """A reviewer approved a revision (from ``draft.approved``)."""

    revision: int
    review_id: str
    reviewer: str
    approved_at: datetime
    content_hash: str
    slot: datetime | None = None
    late: bool = False
    comments: str = ""


class Rejection(_Record):
    """A reviewer rejected a revision, with findings (from ``draft.rejected``)."""

    revision: int
    review_id: str
    reviewer: str
    rejected_at: datetime
    findings: tuple[FindingRef, ...] = ()
    comments: str = ""


class Publication(_Record):
    """The post is live (from ``post.published``)."""

    post_id: str
    channel: str
    url: str | None = None
    published_at: datetime
    slot_at: datetime
    content_hash: str


class Failure(_Record):
    """Publishing failed or its outcome is unknown (from ``post.failed``)."""

    post_id: str
    code: str
    reason: str
    needs_person: bool = True
    failed_at: datetime
    revision: int | None = None  # the post's draft revision (post.failed v1.1); None: older


class FactOutcome(StrEnum):
    """What a fact from another service did to the draft."""

    APPLIED = "applied"  # the state changed
    RECORDED = "recorded"  # stored, state unchanged
    STALE = "stale"  # about an older revision or other content; kept as a notice
    DUPLICATE = "duplicate"  # already known; nothing changed
