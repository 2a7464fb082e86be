"""Request and response bodies of the drafting API (``XCreate / XUpdate / XPublic``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.drafting.domain.content import HttpUrl, Material, OriginRecord, PictureUse, SourceRef
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Approval, Failure, Publication, Rejection, Submission
from services.drafting.domain.lifecycle import Notice
from services.drafting.domain.revisions import RevisionInfo
from services.drafting.domain.states import DraftState, Transition
from services.drafting.domain.topics import IdeaSource, RankedIdea
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import MAX_REVISION, Instant
from shared.events import Category, ContentSnapshot

__all__ = [
    "DraftCreate",
    "DraftDetail",
    "DraftPublic",
    "DraftUpdate",
    "MaterialCreate",
    "MaterialPublic",
    "MaterialUpdate",
    "SubmissionPublic",
    "TopicIdeaPublic",
]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Author = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Digest = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

_BODY = Field(
    min_length=1,
    description=(
        "HTML body. Sanitised: scripts, event handlers and javascript: links are refused "
        "(422); unknown tags and attributes are dropped. At most 20,000 characters and 1 MB."
    ),
    examples=["<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"],
)
_ACCOUNT = Field(
    default=DEFAULT_ACCOUNT,
    pattern=ACCOUNT_ID_PATTERN,
    description="The official account (公众号) it belongs to; the caller needs the editor "
    "role on it (403). Unknown: 404 naming `account`. Cannot be changed later.",
    examples=["default", "talent"],
)
_SHOWN_ACCOUNT = Field(description="The official account (公众号) it belongs to.")
_SLOT = Field(
    default=None,
    description="Slot the editor wishes, aware datetime between the years 2000 and 2100 "
    "(e.g. Monday 11:30 China time).",
    examples=["2026-11-23T11:30:00+08:00"],
)


class _Input(BaseModel):
    # A misspelt field must not be silently ignored: the editor would lose the change.
    model_config = ConfigDict(extra="forbid")


class DraftCreate(_Input):
    """A new draft."""

    account: str = _ACCOUNT
    title: Title = Field(examples=["2026年个税汇算清缴要点"])
    category: Category = Field(description="industry, management, hr, finance or services.")
    digest: Digest = Field(default="", description="Summary shown in the feed.")
    body_html: str = _BODY
    author: Author | None = Field(default=None, description="Byline; defaults to the caller.")
    sources: list[SourceRef] = Field(default_factory=list, max_length=50)
    pictures: list[PictureUse] = Field(default_factory=list, max_length=20)
    wished_slot: Instant | None = _SLOT


class DraftUpdate(_Input):
    """Changes to a draft; every field left out stays as it is. Makes a new revision."""

    title: Title | None = None
    category: Category | None = None
    digest: Digest | None = None
    body_html: str | None = Field(default=None, min_length=1)
    author: Author | None = None
    sources: list[SourceRef] | None = Field(default=None, max_length=50)
    pictures: list[PictureUse] | None = Field(default=None, max_length=20)
    wished_slot: Instant | None = _SLOT
    expected_revision: int | None = Field(
        default=None,
        ge=1,
        le=MAX_REVISION,
        description="Refuse (409) unless the draft is still at this revision.",
    )


class SubmissionInfo(BaseModel):
    """The latest submission of a draft."""

    revision: int
    content_hash: str
    submitted_by: str
    submitted_at: datetime
    wished_slot: datetime | None = None


class DraftPublic(BaseModel):
    """A draft as editors see it."""

    id: str
    account: str = _SHOWN_ACCOUNT
    state: DraftState
    revision: int
    title: str
    category: Category
    digest: str
    body_html: str
    author: str
    sources: list[SourceRef]
    pictures: list[PictureUse]
    wished_slot: datetime | None
    scheduled_slot: datetime | None
    content_notes: list[str] = Field(description="What sanitising changed in the last edit.")
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    submission: SubmissionInfo | None
    approval: Approval | None
    rejection: Rejection | None = Field(description="The last rejection, with its findings.")
    publication: Publication | None
    failure: Failure | None
    notices: list[Notice]

    @classmethod
    def of(cls, draft: Draft) -> DraftPublic:
        return cls(**_public_fields(draft))


class DraftDetail(DraftPublic):
    """A draft with its state history and its revisions (newest first)."""

    history: list[Transition]
    revisions: list[RevisionInfo] = Field(description="The newest revisions (at most 100).")
    revisions_total: int

    @classmethod
    def with_history(cls, draft: Draft, revisions: list[RevisionInfo], total: int) -> DraftDetail:
        return cls(
            **_public_fields(draft),
            history=draft.history,
            revisions=revisions,
            revisions_total=total,
        )


def _public_fields(draft: Draft) -> dict[str, object]:
    content = draft.content
    submission: Submission | None = draft.submission
    return {
        "id": draft.id,
        "account": draft.account,
        "state": draft.state,
        "revision": draft.revision,
        "title": content.title,
        "category": content.category,
        "digest": content.digest,
        "body_html": content.body_html,
        "author": content.author,
        "sources": list(content.sources),
        "pictures": list(content.pictures),
        "wished_slot": draft.wished_slot,
        "scheduled_slot": draft.scheduled_slot,
        "content_notes": list(draft.content_notes),
        "created_by": draft.created_by,
        "created_at": draft.created_at,
        "updated_by": draft.updated_by,
        "updated_at": draft.updated_at,
        "submission": SubmissionInfo(**submission.model_dump()) if submission else None,
        "approval": draft.approval,
        "rejection": draft.rejection,
        "publication": draft.publication,
        "failure": draft.failure,
        "notices": draft.notices,
    }


class SubmissionPublic(BaseModel):
    """A revision sent for review, with the exact snapshot and its hash."""

    draft_id: str
    account: str = _SHOWN_ACCOUNT
    revision: int
    content_hash: str
    submitted_by: str
    submitted_at: datetime
    wished_slot: datetime | None
    event_id: str = Field(description="The draft.submitted event that carried it.")
    content: ContentSnapshot

    @classmethod
    def of(
        cls, draft: Draft, submission: Submission, snapshot: ContentSnapshot
    ) -> SubmissionPublic:
        return cls(
            draft_id=draft.id, account=draft.account, content=snapshot, **submission.model_dump()
        )


class MaterialCreate(_Input):
    """A picture chosen from an image library or portal."""

    account: str = _ACCOUNT
    title: Name = Field(examples=["会计人员在办公室"])
    url: HttpUrl = Field(description="Where the picture file can be fetched.")
    origin: OriginRecord | None = Field(
        default=None,
        description="Library, URL, credit and licence; required before a draft using the "
        "picture can be submitted.",
    )


class MaterialUpdate(_Input):
    """Changes to a material (e.g. recording its origin)."""

    title: Name | None = None
    url: HttpUrl | None = None
    origin: OriginRecord | None = None


class MaterialPublic(Material):
    """A material, and whether its origin is recorded."""

    has_origin: bool

    @classmethod
    def of(cls, material: Material) -> MaterialPublic:
        return cls(**material.model_dump(), has_origin=material.origin is not None)


class IdeaOrigin(BaseModel):
    """One document that suggested a topic."""

    source: IdeaSource
    source_id: str
    reason: str
    date: datetime
    weight: float


class TopicIdeaPublic(BaseModel):
    """A topic customers of one account care about, ranked, with where and when it came
    up."""

    account: str = _SHOWN_ACCOUNT
    topic: str
    category: Category | None
    score: float = Field(description="Sum of the suggestions' weights, halved per half-life.")
    latest_at: datetime
    sources: list[IdeaOrigin]

    @classmethod
    def of(cls, idea: RankedIdea) -> TopicIdeaPublic:
        return cls(
            account=idea.account,
            topic=idea.topic,
            category=idea.category,
            score=idea.score,
            latest_at=idea.latest,
            sources=[
                IdeaOrigin(
                    source=r.source,
                    source_id=r.source_id,
                    reason=r.reason,
                    date=r.date,
                    weight=r.weight,
                )
                for r in idea.records
            ],
        )
