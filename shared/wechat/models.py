"""Value objects returned by the WeChat client and the push parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Any

__all__ = [
    "ArticleStats",
    "ArticleStatsPage",
    "Comment",
    "CommentReply",
    "DraftArticle",
    "PublishState",
    "PublishStatus",
    "PublishSubmission",
]


class PublishState(IntEnum):
    """``publish_status`` of a ``freepublish`` job (UNKNOWN for codes this code predates)."""

    UNKNOWN = -1
    SUCCEEDED = 0
    PUBLISHING = 1
    ORIGINAL_CHECK_FAILED = 2
    FAILED = 3
    REVIEW_REJECTED = 4
    DELETED_BY_USER = 5
    BANNED = 6

    @classmethod
    def from_code(cls, code: int) -> PublishState:
        """Map a raw ``publish_status``; unrecognised codes give ``UNKNOWN``."""
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN

    @property
    def reason(self) -> str:
        """Human-readable explanation of the state."""
        return _REASONS[self]

    @property
    def is_final(self) -> bool:
        """True when polling again will not change the outcome of this job."""
        return self not in (PublishState.PUBLISHING, PublishState.UNKNOWN)

    @property
    def went_live(self) -> bool:
        """True when the articles were published (even if later deleted or banned)."""
        return self in (PublishState.SUCCEEDED, PublishState.DELETED_BY_USER, PublishState.BANNED)


_REASONS: dict[PublishState, str] = {
    PublishState.UNKNOWN: "unrecognised publish_status",
    PublishState.SUCCEEDED: "published",
    PublishState.PUBLISHING: "publication in progress",
    PublishState.ORIGINAL_CHECK_FAILED: "original-content (原创) check failed",
    PublishState.FAILED: "publication failed (normal failure)",
    PublishState.REVIEW_REJECTED: "platform review not passed",
    PublishState.DELETED_BY_USER: "published, then all articles deleted by the user",
    PublishState.BANNED: "published, then all articles banned by the platform",
}


@dataclass(frozen=True, slots=True)
class PublishStatus:
    """Outcome of one publish job, from ``freepublish/get`` or ``PUBLISHJOBFINISH``."""

    publish_id: str
    state: PublishState
    status_code: int
    article_id: str | None = None
    article_urls: tuple[str, ...] = ()
    fail_idx: tuple[int, ...] = ()

    @property
    def reason(self) -> str:
        """Why the job is in this state, with the failed article indexes if any."""
        extra = f" (failed articles: {list(self.fail_idx)})" if self.fail_idx else ""
        return f"{self.state.reason}{extra}"


@dataclass(frozen=True, slots=True)
class PublishSubmission:
    """Answer of ``freepublish/submit``: the job id, and the message id used by comments."""

    publish_id: str
    msg_data_id: str | None = None


@dataclass(frozen=True, slots=True)
class DraftArticle:
    """One article of a draft (``draft/add``); ``content`` is WeChat-safe HTML."""

    title: str
    content: str
    thumb_media_id: str
    author: str = ""
    digest: str = ""
    content_source_url: str = ""
    need_open_comment: bool = False
    only_fans_can_comment: bool = False

    def to_wechat(self) -> dict[str, Any]:
        """The JSON object WeChat expects for this article."""
        return {
            "title": self.title,
            "author": self.author,
            "digest": self.digest,
            "content": self.content,
            "content_source_url": self.content_source_url,
            "thumb_media_id": self.thumb_media_id,
            "need_open_comment": int(self.need_open_comment),
            "only_fans_can_comment": int(self.only_fans_can_comment),
        }


@dataclass(frozen=True, slots=True)
class CommentReply:
    """The account's reply to a comment."""

    content: str
    create_time: int


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment on a published article (``comment_type`` 1 = featured/精选)."""

    user_comment_id: int
    openid: str
    create_time: int
    content: str
    comment_type: int = 0
    reply: CommentReply | None = field(default=None)

    @property
    def is_featured(self) -> bool:
        """True when the account has featured (精选) this comment."""
        return self.comment_type == 1


@dataclass(frozen=True, slots=True)
class ArticleStats:
    """One article's cumulative counters, from ``datacube/getarticletotaldetail``.

    ``index`` is **1-based**, as WeChat writes it in ``msgid`` (``<msg_data_id>_<index>``:
    the n-th article of the publication), while ``comment/list`` numbers the same article
    from 0. ``ref_date`` is the publication day and the counters are the totals from
    publication to the end of ``stat_date`` (both China dates). A counter WeChat did not
    send is None; ``likes`` is ``like_user`` (点赞), else ``zaikan_user`` (在看).
    """

    msg_data_id: str
    index: int
    ref_date: date
    stat_date: date
    reads: int | None = None
    shares: int | None = None
    likes: int | None = None
    is_delay: bool = False


@dataclass(frozen=True, slots=True)
class ArticleStatsPage:
    """The articles published on one day and their latest counters.

    ``is_delay``: WeChat has not finished counting (the numbers may still change); the
    same flag is copied onto every article.
    """

    ref_date: date
    articles: tuple[ArticleStats, ...] = ()
    is_delay: bool = False

    def find(self, msg_data_id: str | int, index: int) -> ArticleStats | None:
        """Article ``index`` (1-based) of publication ``msg_data_id``, its latest row if
        WeChat listed it more than once; None when it is not in the page."""
        rows = [a for a in self.articles if a.msg_data_id == str(msg_data_id) and a.index == index]
        return max(rows, key=lambda a: a.stat_date) if rows else None
