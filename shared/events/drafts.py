"""Events of the drafting and review stage: ``draft.submitted``, ``draft.approved``,
``draft.rejected``."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.events.common import ContentSnapshot, FindingRef
from shared.events.envelope import Contract, EventEnvelope

__all__ = [
    "DraftApproved",
    "DraftApprovedPayload",
    "DraftRejected",
    "DraftRejectedPayload",
    "DraftSubmitted",
    "DraftSubmittedPayload",
]

_HASH = Field(
    min_length=64,
    max_length=64,
    pattern="^[0-9a-f]{64}$",
    description="SHA-256 (hex) of the canonical content snapshot.",
)


_Subject = Annotated[str, Field(min_length=1, max_length=64)]
_MAX_WRITERS = 1000


class DraftSubmittedPayload(Contract):
    """An editor sent a draft revision for review.

    ``writers`` (added in v1.1, compatible: ``schema_version`` stays 1) names everyone who
    wrote, rewrote or submitted any revision of the draft, so review can keep all of them
    from approving it (four eyes). An older producer leaves it empty: review then knows
    only ``submitted_by`` and the byline.
    """

    draft_id: str = Field(min_length=1, max_length=64, examples=["d-9c1f2b7a"])
    revision: int = Field(ge=1, description="Revision number submitted.", examples=[3])
    content: ContentSnapshot
    content_hash: str = _HASH
    wished_slot: AwareDatetime | None = Field(
        default=None,
        description="Slot instant the editor wishes (UTC), e.g. Monday 11:30 China time.",
        examples=["2026-11-23T03:30:00Z"],
    )
    submitted_by: str = Field(min_length=1, max_length=64)
    submitted_at: AwareDatetime
    writers: tuple[_Subject, ...] = Field(
        default=(),
        max_length=_MAX_WRITERS,
        description="Principal subjects of everyone who created, edited or submitted any "
        "revision of the draft, submitter included (added in v1.1; empty from older "
        "producers). None of them may approve it.",
        examples=[["erin", "ed"]],
    )


class DraftSubmitted(EventEnvelope):
    """``draft.submitted``: produced by drafting, consumed by review."""

    EVENT_TYPE: ClassVar[str] = "draft.submitted"
    event_type: Literal["draft.submitted"] = "draft.submitted"
    payload: DraftSubmittedPayload


class DraftApprovedPayload(Contract):
    """A reviewer approved a draft revision; the snapshot is what may be published."""

    draft_id: str = Field(min_length=1, max_length=64)
    revision: int = Field(ge=1)
    review_id: str = Field(min_length=1, max_length=64)
    reviewer: str = Field(min_length=1, max_length=64)
    approved_at: AwareDatetime
    content: ContentSnapshot
    content_hash: str = _HASH
    slot: AwareDatetime | None = Field(
        default=None, description="Slot the draft was reviewed for (UTC); publisher decides."
    )
    late: bool = Field(default=False, description="True when it reached review after 10:00.")
    overridden_findings: tuple[FindingRef, ...] = Field(
        default=(), description="Blocking findings the reviewer overrode with a reason."
    )
    override_reason: str | None = None
    comments: str = ""


class DraftApproved(EventEnvelope):
    """``draft.approved``: produced by review, consumed by publisher and drafting."""

    EVENT_TYPE: ClassVar[str] = "draft.approved"
    event_type: Literal["draft.approved"] = "draft.approved"
    payload: DraftApprovedPayload


class DraftRejectedPayload(Contract):
    """A reviewer rejected a draft revision; it goes back to editing with the findings."""

    draft_id: str = Field(min_length=1, max_length=64)
    revision: int = Field(ge=1)
    review_id: str = Field(min_length=1, max_length=64)
    reviewer: str = Field(min_length=1, max_length=64)
    rejected_at: AwareDatetime
    findings: tuple[FindingRef, ...] = ()
    comments: str = Field(default="", max_length=5000)


class DraftRejected(EventEnvelope):
    """``draft.rejected``: produced by review, consumed by drafting."""

    EVENT_TYPE: ClassVar[str] = "draft.rejected"
    event_type: Literal["draft.rejected"] = "draft.rejected"
    payload: DraftRejectedPayload
