"""The WeChat channel: a post becomes an Official Account article through ``shared.wechat``.

Steps of :meth:`WeChatChannel.publish`, each remembered in the post's record (see
:mod:`.progress`) so a retry resumes instead of repeating (steps 1-3 may run ahead of the
slot through :meth:`WeChatChannel.prepare`):

1. re-host the body's images (``media/uploadimg``);
2. upload the cover as permanent material (``material/add_material``), or use the
   configured default cover;
3. save the draft (``draft/add``);
4. write "submitting" (compare-and-set), then ``freepublish/submit``; record the
   ``publish_id``;
5. ask ``freepublish/get`` once: ``published``, ``pending`` (WeChat still publishing:
   the publisher reconciles with :meth:`status`) or ``failed``.

Failures before step 4 publish nothing (at worst an orphan image or draft), so they are
:class:`TransientChannelError` or :class:`PermanentChannelError`. ``freepublish/submit``
has no idempotency key: a lost answer raises :class:`OutcomeUnknown` and the "submitting"
mark stays, so every later ``publish`` of the post raises ``OutcomeUnknown`` again and
never resubmits. :meth:`status` then answers from the recorded ``publish_id``; without
one (the answer was lost before it arrived) WeChat offers no lookup by draft, so it says
``unknown`` with ``needs_person`` (a person checks the account's publish history or the
``PUBLISHJOBFINISH`` push).

When that person finds nothing went out and asks for a retry, the request carries
``confirmed_unsent_at``: a submit marked before that instant may then be made once more
(the record keeps which confirmation was used, so one confirmation allows one resubmit,
and a newer submit whose answer is lost again stays unknown).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from services.publisher.channels.errors import (
    ChannelError,
    OutcomeUnknown,
    PermanentChannelError,
    TransientChannelError,
)
from services.publisher.channels.progress import ChannelProgress
from services.publisher.channels.wechat_pictures import WeChatPictures
from services.publisher.channels.wechat_progress import (
    WeChatRecord,
    WeChatRecords,
    confirmed_unsent,
    outcome_of,
)
from services.publisher.domain.channel import PublishOutcome, PublishRequest, PublishState
from shared.wechat import (
    DraftArticle,
    PublishStatus,
    QuotaExceeded,
    TransientWeChatError,
    WeChatClient,
    WeChatError,
)
from shared.wechat import OutcomeUnknown as WeChatOutcomeUnknown

__all__ = ["WeChatChannel"]

_RETRYABLE = (TransientWeChatError, QuotaExceeded, WeChatOutcomeUnknown)


class WeChatChannel:
    """Publishes posts to a WeChat Official Account; idempotent by ``post_id``."""

    def __init__(
        self,
        client: WeChatClient,
        *,
        progress: ChannelProgress,
        clock: Callable[[], datetime],
        http: httpx.AsyncClient | None = None,
        default_thumb_media_id: str | None = None,
        open_comments: bool = True,
        fetch_timeout: float = 15.0,
        name: str = "wechat",
    ) -> None:
        self._client = client
        self._records = WeChatRecords(progress, channel=name)
        self._clock = clock
        self._http = http or httpx.AsyncClient(follow_redirects=True)
        self._owns_http = http is None
        self._pictures = WeChatPictures(
            client,
            self._http,
            timeout=fetch_timeout,
            channel=name,
            default_thumb_media_id=default_thumb_media_id,
        )
        self._open_comments = open_comments
        self._name = name

    @property
    def name(self) -> str:
        """The channel name reported in outcomes."""
        return self._name

    async def aclose(self) -> None:
        """Close the HTTP clients this channel owns."""
        if self._owns_http:
            await self._http.aclose()
        await self._client.aclose()

    # -- publish ---------------------------------------------------------------------
    async def prepare(self, post: PublishRequest) -> None:
        """Steps 1-3 ahead of the slot (nothing is published); ``publish`` resumes there."""
        record = await self._records.load(post.post_id)
        if record is None:
            record = await self._records.start(post)
            if record is None:
                return  # another attempt started it
        if record.content_hash != post.content_hash or record.submit_started_at is not None:
            return
        await self._prepare(post, record)

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        """Publish ``post`` once (see the module docstring for the steps)."""
        record = await self._records.load(post.post_id)
        if record is not None and record.content_hash != post.content_hash:
            raise self._error(
                PermanentChannelError,
                f"post {post.post_id} was already sent to WeChat with content hash "
                f"{record.content_hash}, not {post.content_hash}",
                record,
            )
        if (
            record is not None
            and record.outcome is not None
            and record.outcome.state
            in (
                PublishState.PUBLISHED,
                PublishState.FAILED,
            )
        ):
            return record.outcome.model_copy(update={"replayed": True})
        if record is not None and record.publish_id is not None:
            outcome = await self.status(post.post_id)
            return outcome.model_copy(update={"replayed": True})
        if record is not None and record.submit_started_at is not None:
            if not confirmed_unsent(record, post):
                raise self._error(
                    OutcomeUnknown,
                    "an earlier freepublish/submit of this post got no answer; "
                    "reconcile with status(), never resubmit",
                    record,
                )
            # a person saw nothing went out: clear the mark, using up the confirmation
            record = await self._records.advance(
                record, submit_started_at=None, resubmit_confirmed_at=post.confirmed_unsent_at
            )
        if record is None:
            record = await self._records.start(post)
            if record is None:
                raise self._error(TransientChannelError, "another attempt started this post")
        record = await self._prepare(post, record)
        return await self._submit(post, record)

    async def _prepare(self, post: PublishRequest, record: WeChatRecord) -> WeChatRecord:
        """Steps 1-3: body images, cover, draft; each saved once done."""
        try:
            if record.body_html is None:
                body = await self._client.rewrite_body_images(post.body_html, self._pictures.fetch)
                record = await self._records.advance(record, body_html=body)
            if record.thumb_media_id is None:
                record = await self._records.advance(
                    record, thumb_media_id=await self._pictures.cover(post)
                )
            if record.draft_media_id is None:
                assert record.body_html is not None
                assert record.thumb_media_id is not None
                article = DraftArticle(
                    title=post.title,
                    content=record.body_html,
                    thumb_media_id=record.thumb_media_id,
                    author=post.author,
                    digest=post.digest,
                    content_source_url=post.content_source_url or "",
                    need_open_comment=self._open_comments,
                )
                media_id = await self._client.add_draft([article])
                record = await self._records.advance(record, draft_media_id=media_id)
        except _RETRYABLE as exc:  # nothing is published before the submit
            raise self._error(TransientChannelError, f"WeChat not ready: {exc}", record) from exc
        except WeChatError as exc:
            raise self._error(PermanentChannelError, f"WeChat refused: {exc}", record) from exc
        return record

    async def _submit(self, post: PublishRequest, record: WeChatRecord) -> PublishOutcome:
        """Step 4-5: mark, submit once, record the job, ask once how it went."""
        draft_media_id = record.draft_media_id
        assert draft_media_id is not None
        record = await self._records.advance(record, submit_started_at=self._clock())
        try:
            submission = await self._client.submit_publish(draft_media_id)
        except WeChatOutcomeUnknown as exc:
            raise self._error(
                OutcomeUnknown, f"freepublish/submit answer lost: {exc}", record
            ) from exc
        except WeChatError as exc:  # WeChat answered (or was never reached): nothing published
            record = await self._records.advance(record, submit_started_at=None)
            kind = TransientChannelError if isinstance(exc, _RETRYABLE) else PermanentChannelError
            raise self._error(kind, f"freepublish/submit refused: {exc}", record) from exc
        try:
            record = await self._records.advance(
                record, publish_id=submission.publish_id, msg_data_id=submission.msg_data_id
            )
        except Exception as exc:  # published, but we could not remember it: say so
            raise OutcomeUnknown(
                f"submitted as {submission.publish_id} but the record was not saved: {exc!r}",
                channel=self._name,
                publish_id=submission.publish_id,
            ) from exc
        try:
            status = await self._client.get_publish(submission.publish_id)
        except WeChatError:
            return self._pending(record, "submitted; WeChat status not read yet")
        return await self._settle(record, status)

    # -- status ----------------------------------------------------------------------
    async def status(self, publish_id: str) -> PublishOutcome:
        """The outcome of a post (by ``post_id``) or of a WeChat ``publish_id``."""
        record = await self._records.load(publish_id)
        if record is None:
            if not publish_id.isdigit():  # a post id this channel never started
                return self._outcome(PublishState.FAILED, publish_id, reason="never sent to WeChat")
            return await self._settle(None, await self._get(publish_id), post_id=publish_id)
        if record.outcome is not None and record.outcome.state in (
            PublishState.PUBLISHED,
            PublishState.FAILED,
        ):
            return record.outcome
        if record.publish_id is not None:
            return await self._settle(record, await self._get(record.publish_id))
        if record.submit_started_at is not None:
            return self._outcome(
                PublishState.UNKNOWN,
                record.post_id,
                reason=(
                    "freepublish/submit got no answer at "
                    f"{record.submit_started_at.isoformat()}; WeChat cannot look a job up by "
                    "draft: check the account's publish history or the PUBLISHJOBFINISH push"
                ),
                needs_person=True,
            )
        return self._outcome(PublishState.FAILED, record.post_id, reason="never submitted")

    async def _get(self, publish_id: str) -> PublishStatus:
        try:
            return await self._client.get_publish(publish_id)
        except _RETRYABLE as exc:
            raise self._error(TransientChannelError, f"freepublish/get: {exc}") from exc
        except WeChatError as exc:
            raise self._error(PermanentChannelError, f"freepublish/get: {exc}") from exc

    async def _settle(
        self, record: WeChatRecord | None, status: PublishStatus, *, post_id: str | None = None
    ) -> PublishOutcome:
        """Turn WeChat's job status into an outcome; remember it once it is final."""
        outcome = outcome_of(
            status,
            channel=self._name,
            post_id=record.post_id if record is not None else post_id or status.publish_id,
            msg_data_id=record.msg_data_id if record is not None else None,
            now=self._clock(),
        )
        if outcome.state in (PublishState.PENDING, PublishState.UNKNOWN):
            return outcome
        if record is not None:
            # someone may have recorded it first; WeChat stays the source of truth
            with contextlib.suppress(ChannelError):
                await self._records.advance(record, outcome=outcome)
        return outcome

    # -- helpers ---------------------------------------------------------------------
    def _pending(self, record: WeChatRecord, reason: str) -> PublishOutcome:
        return self._outcome(
            PublishState.PENDING,
            record.post_id,
            publish_id=record.publish_id,
            msg_data_id=record.msg_data_id,
            reason=reason,
        )

    def _outcome(self, state: PublishState, post_id: str, **fields: Any) -> PublishOutcome:
        return PublishOutcome(state=state, channel=self._name, post_id=post_id, **fields)

    def _error(
        self, kind: type[ChannelError], message: str, record: WeChatRecord | None = None
    ) -> ChannelError:
        publish_id = record.publish_id if record is not None else None
        return kind(message, channel=self._name, publish_id=publish_id)
