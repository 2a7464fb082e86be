"""What a review records besides its content: where it stands (``ReviewState``), the
reviewer's ``Decision``, each step of its ``history``, and the ``ApprovalRequest`` a
reviewer sends. Plain values; the rules that produce them are in :mod:`.review`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.review.domain.findings import ReviewFinding

__all__ = ["ApprovalRequest", "Decision", "HistoryEntry", "ReviewState"]


class ReviewState(StrEnum):
    """Where a review stands (see the diagram in :mod:`.review`)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class HistoryEntry(_Model):
    """One step of a review's life."""

    at: AwareDatetime
    action: str
    by: str
    note: str = ""


class Decision(_Model):
    """The reviewer's decision, as recorded on the review."""

    outcome: ReviewState
    by: str
    at: AwareDatetime
    comments: str = ""
    override_reason: str | None = None
    overridden: list[ReviewFinding] = Field(default_factory=list)
    automatic: bool = False
    event_id: str


@dataclass(frozen=True)
class ApprovalRequest:
    """What a reviewer sends to approve; ``content_hash``/``revision`` are what they saw."""

    comments: str = ""
    override_reason: str | None = None
    content_hash: str | None = None
    revision: int | None = None
