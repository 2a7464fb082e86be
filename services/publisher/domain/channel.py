"""What the publisher hands a channel, and what a channel reports back (the domain's words:
the channels in ``services.publisher.channels`` implement them)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["PublishOutcome", "PublishRequest", "PublishState"]


class PublishState(StrEnum):
    """Where a post stands on a channel."""

    PUBLISHED = "published"  # live; url and ids known
    PENDING = "pending"  # accepted, the channel is still publishing (WeChat publish_id)
    FAILED = "failed"  # the channel refused or dropped it; nothing is live
    UNKNOWN = "unknown"  # cannot tell; reconcile again or ask a person


class PublishRequest(BaseModel):
    """One approved post, exactly as approved, ready for a channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    post_id: str = Field(
        min_length=1,
        max_length=64,
        description="Publisher's post id; the idempotency key on every channel.",
        examples=["p-2026-11-23-1"],
    )
    draft_id: str = Field(min_length=1, max_length=64)
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="The official account the post goes out on (#12); a webhook receiver "
        "serving several accounts tells them apart by it.",
    )
    title: str = Field(min_length=1, max_length=64, examples=["2026年个税汇算清缴要点"])
    digest: str = Field(default="", max_length=120, description="Summary shown in the feed.")
    body_html: str = Field(min_length=1, description="Sanitised HTML body, inserted as is.")
    author: str = Field(min_length=1, max_length=64)
    cover_url: str | None = Field(default=None, description="URL of the cover picture.")
    picture_urls: tuple[str, ...] = Field(
        default=(), description="URLs of the pictures the body uses (for upload by a channel)."
    )
    content_source_url: str | None = Field(
        default=None, description="Optional 'read more' link of the article."
    )
    content_hash: str = Field(
        min_length=64, max_length=64, description="SHA-256 of the approved content snapshot."
    )
    slot_key: str = Field(examples=["publish:2026-11-23T11:30+08:00"])
    confirmed_unsent_at: AwareDatetime | None = Field(
        default=None,
        description="When a person, having checked the channel, confirmed that nothing "
        "went out (resolve not_published + retry). A channel that refuses to repeat a "
        "call whose answer was lost may repeat one started before this instant, once.",
    )


class PublishOutcome(BaseModel):
    """A channel's answer about one post."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: PublishState
    channel: str = Field(description="Channel name, e.g. wechat or local.")
    post_id: str
    publish_id: str | None = Field(default=None, description="Id to reconcile with status().")
    article_id: str | None = Field(default=None, description="Id of the live article.")
    msg_data_id: str | None = Field(
        default=None, description="Message id comments are listed by (WeChat), if any."
    )
    url: str | None = Field(default=None, description="Where the article can be read.")
    published_at: AwareDatetime | None = None
    reason: str | None = Field(default=None, description="Why failed, pending or unknown.")
    needs_person: bool = Field(default=False, description="True when someone must act.")
    replayed: bool = Field(
        default=False, description="True when this repeats an earlier publish of the post_id."
    )

    @property
    def channel_ids(self) -> dict[str, str]:
        """The known channel ids, as ``post.published`` carries them."""
        ids = {
            "publish_id": self.publish_id,
            "article_id": self.article_id,
            "msg_data_id": self.msg_data_id,
        }
        return {name: value for name, value in ids.items() if value}
