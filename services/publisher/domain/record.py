"""What the publisher keeps of a post (one document in ``posts``), without its behaviour."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.publisher.domain.states import ALLOWED, Command, PostState, refused
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import Category

__all__ = ["PostRecord"]


class PostRecord(BaseModel):
    """A post's fields; :class:`~services.publisher.domain.post.Post` adds its transitions."""

    """A post as the publisher keeps it (one document in ``posts``)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    post_id: str = Field(alias="_id")
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="The official account the post belongs to (its approval's; #12).",
    )
    draft_id: str
    revision: int
    review_id: str
    reviewer: str
    approved_at: AwareDatetime
    approval_event_id: str
    correlation_id: str
    content: dict[str, Any]
    content_hash: str
    title: str
    category: Category
    state: PostState
    slot_key: str
    slot_at: AwareDatetime
    seat: int | None = None
    rev: int = 1
    job_key: str | None = None
    channel: str | None = None
    submit_fence: int | None = None
    submit_started_at: AwareDatetime | None = None
    attempts: int = 0
    publish_id: str | None = None
    channel_ids: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    published_at: AwareDatetime | None = None
    lateness_seconds: float | None = None
    failure: dict[str, Any] | None = None
    last_error: str | None = None
    unknown_since: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None
    confirmed_unsent_at: AwareDatetime | None = None
    reconcile_round: int = 0
    history: list[dict[str, Any]] = Field(default_factory=list)
    created_at: AwareDatetime
    updated_at: AwareDatetime

    def check(self, command: Command) -> None:
        """Raise :class:`TransitionRefused` unless ``command`` applies to the post now."""
        if self.state not in ALLOWED[command]:
            raise refused(self.post_id, self.state, command)

    @property
    def next_round(self) -> int:
        """The reconcile round a move to ``unknown`` or ``pending`` starts."""
        return self.reconcile_round + 1
