"""A person's word on a post whose outcome the channel cannot tell, as pure rules.

When the answer of a publish call is lost and the channel cannot look the post up (WeChat
without a ``publish_id``), the post stays ``unknown`` for ever and a person is asked
(``post.failed`` with ``needs_person``). Having checked the account's back office, they
resolve it:

* ``published``, with the article's ``url`` (and when, default now): recorded as if the
  channel had said so, ``post.published`` included, so drafting, feedback and reporting
  react the same;
* ``not_published`` + ``retry``: scheduled again, due now (at its slot while that is still
  ahead), and the channel is told a person confirmed nothing went out, so a channel that
  refuses to repeat a call whose answer was lost (WeChat) submits once more;
* ``not_published`` + ``cancel``: cancelled, as a cancel before publishing would.

Also for ``pending`` posts: a channel may report its job "publishing" for ever, and the
reconcile job escalates those as well. But ``retry`` is refused while the post has a
``publish_id``: the channel holds a job for it and, idempotent by post, would answer a
repeat from that job instead of submitting again; only ``published`` or ``cancel``
settle it. A note is required: it is an operator's decision, kept in the history and
the audit line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from services.publisher.domain.channel import PublishOutcome, PublishState
from services.publisher.domain.states import Command
from services.publisher.errors import InvalidResolution, RetryRefused

if TYPE_CHECKING:
    from services.publisher.domain.record import PostRecord as Post

__all__ = [
    "Resolution",
    "ResolveAction",
    "ResolveOutcome",
    "check_resolution",
    "resolution",
    "vouched_outcome",
]

MAX_URL = 2048
MAX_NOTE = 500


class ResolveOutcome(StrEnum):
    """What the person found on the channel."""

    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"


class ResolveAction(StrEnum):
    """What to do with a post that did not go out."""

    RETRY = "retry"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Resolution:
    """A checked resolution: ``url`` only when published, ``action`` only when not."""

    outcome: ResolveOutcome
    note: str
    action: ResolveAction | None = None
    url: str | None = None
    published_at: datetime | None = None
    msg_data_id: str | None = None


def resolution(
    outcome: ResolveOutcome,
    *,
    note: str,
    now: datetime,
    action: ResolveAction | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    msg_data_id: str | None = None,
) -> Resolution:
    """Check a person's resolution; raises :class:`InvalidResolution` naming the field."""
    note = note.strip()
    if not note:
        raise InvalidResolution("note", "a note is required: say what was checked and where")
    if len(note) > MAX_NOTE:
        raise InvalidResolution("note", f"at most {MAX_NOTE} characters")
    if outcome is ResolveOutcome.NOT_PUBLISHED:
        if action is None:
            raise InvalidResolution("action", "required when not published: retry or cancel")
        if url is not None:
            raise InvalidResolution("url", "only when the outcome is published")
        if published_at is not None:
            raise InvalidResolution("published_at", "only when the outcome is published")
        if msg_data_id is not None:
            raise InvalidResolution("msg_data_id", "only when the outcome is published")
        return Resolution(outcome=outcome, note=note, action=action)
    if action is not None:
        raise InvalidResolution("action", "only when the outcome is not_published")
    if url is None:
        raise InvalidResolution("url", "required when published: the article's address")
    if published_at is not None:
        if published_at.tzinfo is None or published_at.utcoffset() is None:
            raise InvalidResolution("published_at", "needs a time zone offset")
        if published_at > now:
            raise InvalidResolution("published_at", "is in the future")
    if msg_data_id is not None and not (msg_data_id.isascii() and msg_data_id.isdigit()):
        raise InvalidResolution("msg_data_id", "WeChat's msg_data_id is a number")
    return Resolution(
        outcome=outcome,
        note=note,
        url=_http_url(url),
        published_at=published_at,
        msg_data_id=msg_data_id,
    )


def _http_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address, else :class:`InvalidResolution`."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise InvalidResolution("url", f"at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise InvalidResolution("url", f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise InvalidResolution("url", "must be an absolute http(s) URL")
    return url


def check_resolution(post: Post, resolution: Resolution) -> None:
    """Raise unless ``resolution`` may settle ``post`` now.

    :class:`~services.publisher.errors.TransitionRefused` unless the post is ``unknown``
    or ``pending``; :class:`RetryRefused` for a retry while the channel holds its job.
    """
    post.check(Command.RESOLVE)
    if resolution.action is ResolveAction.RETRY and post.publish_id:
        raise RetryRefused(post.post_id, post.publish_id)


def vouched_outcome(
    post: Post, resolution: Resolution, *, channel: str, now: datetime
) -> PublishOutcome:
    """The channel's answer as the person found it: what ``post.published`` is built from.

    Keeps the ``publish_id`` the publisher learnt, if any; ``published_at`` defaults to now.
    A ``msg_data_id`` the person read off the account lets feedback poll the comments.
    """
    return PublishOutcome(
        state=PublishState.PUBLISHED,
        channel=channel,
        post_id=post.post_id,
        publish_id=post.publish_id,
        msg_data_id=resolution.msg_data_id or post.channel_ids.get("msg_data_id"),
        url=resolution.url,
        published_at=resolution.published_at or now,
    )
