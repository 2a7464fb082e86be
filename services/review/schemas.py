"""HTTP schemas of the review service: ``XCreate`` (requests) and ``XPublic`` (answers).

Requests forbid unknown fields, so a misspelt ``overide_reason`` is a 422 naming it
rather than an approval that silently ignores it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.review.domain.deadline import ReviewCalendar, SlotAction
from services.review.domain.decision import HistoryEntry, ReviewState
from services.review.domain.findings import Part, ReviewFinding
from services.review.domain.review import Review, ReviewLine
from services.review.norms import Category, Severity
from services.review.presentation import highlight, time_left_text
from shared.bounds import MAX_REVISION
from shared.events import ContentSnapshot

__all__ = [
    "ApprovalCreate",
    "DecisionPublic",
    "FindingPublic",
    "LexiconPublic",
    "RejectionCreate",
    "ReviewPublic",
    "ReviewSummary",
    "TermCreate",
    "TermPublic",
    "review_public",
    "review_summary",
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApprovalCreate(_Request):
    """Approve a pending review."""

    comments: str = Field(default="", max_length=5000, description="Notes for the editor.")
    override_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Required when the draft has blocking findings: why it may be published "
        "anyway. Audited and carried on draft.approved.",
        examples=["已与法务确认：文中“博彩”指政府发布的彩票监管新闻。"],
    )
    content_hash: str | None = Field(
        default=None,
        pattern="^[0-9a-f]{64}$",
        description="The content hash the reviewer looked at; refused if the review differs.",
    )
    revision: int | None = Field(
        default=None, ge=1, le=MAX_REVISION, description="The revision looked at."
    )


class RejectionCreate(_Request):
    """Reject a pending review; the comments tell the editor what to change."""

    comments: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=5000, examples=["第二段的数据来源请补充。"]
    )


class TermCreate(_Request):
    """A lexicon term to put in force at run time."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=50, examples=["蓝鲸计划"]
    )
    category: Category = Field(examples=["confidential"])
    severity: Severity | None = Field(
        default=None, description="block or warn; empty: the category's default."
    )
    note: str = Field(default="", max_length=200)


class FindingPublic(BaseModel):
    """A finding, with the part of the post its offsets refer to."""

    part: Part
    category: str
    rule_id: str
    severity: str
    matched: str
    start: int
    end: int
    explanation: str
    confidence: float
    evasion: str


class DecisionPublic(BaseModel):
    """How the review was decided."""

    outcome: ReviewState
    by: str
    at: AwareDatetime
    comments: str
    override_reason: str | None
    overridden: list[FindingPublic]
    automatic: bool


class ReviewSummary(BaseModel):
    """A line of the review queue."""

    review_id: str
    account: str = Field(
        description="The official account (公众号) the draft belongs to; its calendar gives "
        "the slot, deadline and cut-off.",
        examples=["default", "talent"],
    )
    draft_id: str
    revision: int
    title: str
    category: str
    submitted_by: str
    submitted_at: AwareDatetime
    state: ReviewState
    slot_at: AwareDatetime
    slot: str = Field(description="The slot on the calendar's clock, e.g. 2026-11-23T11:30+08:00.")
    deadline_at: AwareDatetime = Field(description="The draft had to reach review before this.")
    cutoff_at: AwareDatetime = Field(description="Still pending then: reported overdue.")
    time_left_seconds: int = Field(description="Until the cut-off; negative once past.")
    time_left: str = Field(examples=["1 h 25 min left", "overdue by 5 min"])
    late: bool
    slot_action: SlotAction
    slot_note: str
    blocking: bool
    block_findings: int
    warn_findings: int
    lexicon_version: str
    overdue: bool = Field(description="Pending past the cut-off.")
    overdue_reported_at: AwareDatetime | None


class Highlighted(BaseModel):
    """Each part's checked text, HTML-escaped, with ``<mark>`` around the findings."""

    title: str
    digest: str
    body: str


class ReviewPublic(ReviewSummary):
    """A review with its content, findings (highlighted) and decision."""

    content: ContentSnapshot
    content_hash: str
    wished_slot: AwareDatetime | None
    body_text: str
    findings: list[FindingPublic]
    highlighted: Highlighted
    decision: DecisionPublic | None
    superseded_by: str | None
    history: list[HistoryEntry]


class TermPublic(BaseModel):
    """A term in force."""

    text: str
    key: str = Field(description="The normalised form that is matched.")
    category: str
    severity: str
    note: str
    source: Literal["shipped", "added", "configured"]


class LexiconPublic(BaseModel):
    """The lexicon in force and its version (recorded on every check)."""

    version: str
    revision: int = Field(description="Goes up with every run-time change.")
    terms: int
    by_category: dict[str, int]
    added: int
    removed: int
    configured: int = Field(description="Confidential terms from REVIEW_CONFIDENTIAL_TERMS.")
    changed_at: AwareDatetime | None = None
    changed_by: str | None = None
    term: TermPublic | None = Field(default=None, description="The term a change touched.")


def _finding(f: ReviewFinding) -> FindingPublic:
    return FindingPublic.model_validate(f.model_dump())


def _summary_fields(review: ReviewLine, now: datetime, calendar: ReviewCalendar) -> dict[str, Any]:
    left = (review.cutoff_at - now).total_seconds()
    pending = review.state is ReviewState.PENDING
    return {
        "review_id": review.id,
        "account": review.account,
        "draft_id": review.draft_id,
        "revision": review.revision,
        "title": review.title,
        "category": review.category,
        "submitted_by": review.submitted_by,
        "submitted_at": review.submitted_at,
        "state": review.state,
        "slot_at": review.slot_at,
        "slot": calendar.key(review.slot_at),
        "deadline_at": review.deadline_at,
        "cutoff_at": review.cutoff_at,
        "time_left_seconds": int(left),
        "time_left": time_left_text(left) if pending else str(review.state),
        "late": review.late,
        "slot_action": review.slot_action,
        "slot_note": review.slot_note,
        "blocking": review.blocking,
        "block_findings": review.block_findings,
        "warn_findings": review.warn_findings,
        "lexicon_version": review.lexicon_version,
        "overdue": pending and left <= 0,
        "overdue_reported_at": review.overdue_reported_at,
    }


def review_summary(review: ReviewLine, *, now: datetime, calendar: ReviewCalendar) -> ReviewSummary:
    """The queue line of ``review`` at ``now``."""
    return ReviewSummary(**_summary_fields(review, now, calendar))


def review_public(review: Review, *, now: datetime, calendar: ReviewCalendar) -> ReviewPublic:
    """The full view of ``review`` at ``now``."""
    snapshot = review.snapshot()
    by_part = {part: [f for f in review.findings if f.part is part] for part in Part}
    decision = review.decision
    return ReviewPublic(
        **_summary_fields(review, now, calendar),
        content=snapshot,
        content_hash=review.content_hash,
        wished_slot=review.wished_slot,
        body_text=review.body_text,
        findings=[_finding(f) for f in review.findings],
        highlighted=Highlighted(
            title=highlight(snapshot.title, by_part[Part.TITLE]),
            digest=highlight(snapshot.digest, by_part[Part.DIGEST]),
            body=highlight(review.body_text, by_part[Part.BODY]),
        ),
        decision=None
        if decision is None
        else DecisionPublic(
            outcome=decision.outcome,
            by=decision.by,
            at=decision.at,
            comments=decision.comments,
            override_reason=decision.override_reason,
            overridden=[_finding(f) for f in decision.overridden],
            automatic=decision.automatic,
        ),
        superseded_by=review.superseded_by,
        history=review.history,
    )
