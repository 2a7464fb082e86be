"""Sending our replies to the customer through WeChat.

``POST /enquiries/{id}/reply`` records the reply; when the enquiry came from WeChat (a
comment on the article, or a follower's private message) and the app's credentials are
set (``FEEDBACK_REPLY_SEND_ENABLED``, on by default), the same transaction records
``enquiry.delivery`` (state ``pending``) and schedules a claimed job
``reply-send:<enquiry id>`` carrying the text and where it goes. A crash therefore loses
no send, and no send happens for a reply that was not recorded.

* A comment is answered with ``comment/reply/add`` (its ``source_id`` is
  ``<msg_data_id>:<index>:<user_comment_id>``), a message with a text customer-service
  message (``message/custom/send``) to the sender's openid. Other sources (``crm`` ...)
  are answered by their own systems: nothing is sent and there is no ``delivery``.
* **One send per enquiry.** Only the API reply that answers the enquiry is sent: a reply
  to an enquiry already answered (by an earlier API reply, by the account directly in
  WeChat, by another system) is recorded, not sent: the customer has an answer, and a
  second comment reply would replace the first. A delivery that failed is not re-sent
  by replying again either: staff reach the customer another way.
* Outcomes: ``sent``; ``failed`` on a permanent refusal (e.g. 45015: the follower's last
  message is older than 48 hours; the comment was deleted), with the error, not retried;
  a transient failure (busy, HTTP 5xx, no connection, quota) is retried after
  ``FEEDBACK_JOB_RETRY_SECONDS`` up to ``FEEDBACK_REPLY_SEND_MAX_ATTEMPTS``, then
  ``failed``; ``unknown`` when the request may have reached WeChat but its answer was
  lost. WeChat has no idempotency key, and a customer receiving the reply twice is worse
  than staff checking by hand, so ``unknown`` is never retried.
* Each attempt marks the delivery in flight before calling WeChat
  (``in_flight_since``, a compare-and-set) and clears the mark with its outcome. An
  attempt that finds the mark set (the previous one crashed or lost its lease mid-call)
  settles ``unknown`` instead of sending again; the same mark keeps two replicas from
  sending at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import structlog

from services.feedback.deps import REPLY_SEND, FeedbackDeps, reply_send_key
from services.feedback.domain import COMMENT_SOURCE, MESSAGE_SOURCE, item_key
from shared.jobs import Claim
from shared.mongo import MongoDoc
from shared.outbox import Tx
from shared.wechat import (
    AccessTokenInvalid,
    OutcomeUnknown,
    QuotaExceeded,
    TransientWeChatError,
    WeChatClient,
    WeChatError,
)

__all__ = [
    "SENDABLE_SOURCES",
    "CommentTarget",
    "DeliveryState",
    "Verdict",
    "classify",
    "comment_target",
    "new_delivery",
    "run_reply_sender",
    "schedule_reply_send",
    "send_reply",
    "send_target",
]

#: Enquiry sources we answer through WeChat; the channel is named after the source.
SENDABLE_SOURCES = frozenset({COMMENT_SOURCE, MESSAGE_SOURCE})
_NO_AUTHOR = "anonymous"
_log = structlog.get_logger("feedback.replies")


class DeliveryState(StrEnum):
    """Where the sending of an enquiry's answer stands (``enquiry.delivery.state``)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """What a failed send means for the delivery."""

    RETRY = "retry"  # WeChat did nothing: try again later
    FAILED = "failed"  # WeChat refused for good: tell staff
    UNKNOWN = "unknown"  # it may have been sent: never resend, tell staff


@dataclass(frozen=True, slots=True)
class CommentTarget:
    """The comment a ``wechat_comment`` item is, as ``comment/reply/add`` names it."""

    msg_data_id: int
    index: int
    user_comment_id: int


def comment_target(source_id: str) -> CommentTarget | None:
    """Parse ``<msg_data_id>:<index>:<user_comment_id>``; None when it is not that shape."""
    parts = source_id.split(":")
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    msg_data_id, index, user_comment_id = (int(part) for part in parts)
    return CommentTarget(msg_data_id, index, user_comment_id)


def send_target(enquiry: MongoDoc) -> dict[str, Any] | None:
    """Where this enquiry's answer goes on WeChat (the job's payload without the text);
    None when it is not ours to send (another source, or no addressable customer)."""
    source = enquiry.get("source")
    if source == COMMENT_SOURCE:
        target = comment_target(str(enquiry.get("source_id", "")))
        if target is None:
            return None
        return {
            "channel": COMMENT_SOURCE,
            "msg_data_id": target.msg_data_id,
            "index": target.index,
            "user_comment_id": target.user_comment_id,
        }
    if source == MESSAGE_SOURCE:
        openid = enquiry.get("author")
        if not openid or openid == _NO_AUTHOR:
            return None
        return {"channel": MESSAGE_SOURCE, "openid": str(openid)}
    return None


def classify(exc: WeChatError) -> Verdict:
    """Retry only what WeChat certainly did not do; a lost answer is never retried.

    Transient errors (busy, HTTP 5xx, no connection) and exhausted quotas did nothing and
    pass; an access token still refused after the client's forced refresh is usually a
    race with another token holder. Everything else (45015 outside the 48 hours, a
    deleted comment, bad credentials, unknown errcodes) will not change by retrying.
    """
    if isinstance(exc, OutcomeUnknown):
        return Verdict.UNKNOWN
    if isinstance(exc, TransientWeChatError | QuotaExceeded | AccessTokenInvalid):
        return Verdict.RETRY
    return Verdict.FAILED


def new_delivery(channel: str) -> MongoDoc:
    """``enquiry.delivery`` of an answer about to be sent."""
    return {
        "state": DeliveryState.PENDING.value,
        "channel": channel,
        "attempts": 0,
        "error": None,
        "sent_at": None,
        "in_flight_since": None,
    }


async def schedule_reply_send(
    enquiry: MongoDoc, *, reply_key: str, text: str, tx: Tx, deps: FeedbackDeps
) -> bool:
    """Inside the reply's transaction: schedule the send of ``text`` if this reply
    (``reply_key``) is the enquiry's answer and the enquiry came from WeChat. True when
    a send was scheduled (``enquiry`` is the enquiry as the reply left it)."""
    if not deps.settings.reply_sending:
        return False
    answer = enquiry["enquiry"]
    if answer.get("reply_key") != reply_key or "delivery" in answer:
        return False
    target = send_target(enquiry)
    if target is None:
        return False
    if not await deps.repo.start_delivery(
        enquiry["_id"], new_delivery(target["channel"]), session=tx.session
    ):
        return False
    enquiry_id = item_key(enquiry["source"], enquiry["source_id"])
    await deps.jobs.schedule(
        reply_send_key(enquiry_id),
        kind=REPLY_SEND,
        due_at=deps.clock.now(),
        payload={"enquiry_id": enquiry_id, "text": text, **target},
        session=tx.session,
    )
    return True


async def _send(client: WeChatClient, payload: dict[str, Any]) -> None:
    text = str(payload["text"])
    if payload["channel"] == COMMENT_SOURCE:
        await client.reply_comment(
            int(payload["msg_data_id"]),
            int(payload["index"]),
            int(payload["user_comment_id"]),
            text,
        )
    elif payload["channel"] == MESSAGE_SOURCE:
        await client.send_text_message(str(payload["openid"]), text)
    else:
        raise ValueError(f"unknown reply channel {payload['channel']!r}")


async def _settle(
    claim: Claim,
    enquiry: MongoDoc,
    deps: FeedbackDeps,
    state: DeliveryState,
    *,
    error: str | None = None,
) -> DeliveryState:
    """Record a final outcome on the enquiry, count it and finish the job."""
    channel = str(claim.payload["channel"])
    sent_at = deps.clock.now() if state is DeliveryState.SENT else None
    await deps.repo.settle_delivery(enquiry["_id"], state=state.value, error=error, sent_at=sent_at)
    deps.metrics.reply_sends.labels(channel, state.value).inc()
    enquiry_id = claim.payload["enquiry_id"]
    if state is DeliveryState.SENT:
        _log.info("reply_sent", enquiry_id=enquiry_id, channel=channel, attempt=claim.attempts)
    else:
        _log.warning(
            "reply_not_sent" if state is DeliveryState.FAILED else "reply_outcome_unknown",
            enquiry_id=enquiry_id,
            channel=channel,
            attempt=claim.attempts,
            error=error,
        )
    outcome = {DeliveryState.SENT: "done", DeliveryState.FAILED: "failed"}.get(state, state.value)
    await deps.jobs.complete(claim, outcome=outcome, result={"delivery": state.value})
    return state


async def send_reply(claim: Claim, client: WeChatClient, deps: FeedbackDeps) -> DeliveryState:
    """One attempt to send a reply; raises (so the job loop retries) on a transient failure."""
    enquiry_id = str(claim.payload["enquiry_id"])
    enquiry = await deps.repo.get_enquiry(enquiry_id)
    delivery = enquiry["enquiry"].get("delivery") if enquiry is not None else None
    if enquiry is None or delivery is None:
        await deps.jobs.complete(claim, outcome="failed", result={"error": "no delivery"})
        return DeliveryState.FAILED
    if delivery["state"] != DeliveryState.PENDING:
        await deps.jobs.complete(claim, result={"delivery": delivery["state"]})
        return DeliveryState(delivery["state"])
    if not await deps.repo.begin_delivery_attempt(
        enquiry["_id"], attempts=claim.attempts, now=deps.clock.now()
    ):
        again = await deps.repo.get_enquiry(enquiry_id)
        state = again["enquiry"]["delivery"]["state"] if again is not None else "pending"
        if state != DeliveryState.PENDING:  # settled meanwhile by another replica
            await deps.jobs.complete(claim, result={"delivery": state})
            return DeliveryState(state)
        # Only an attempt that never recorded its end leaves the mark: it may have sent.
        return await _settle(
            claim,
            enquiry,
            deps,
            DeliveryState.UNKNOWN,
            error="an earlier attempt was interrupted while sending; check WeChat",
        )
    try:
        await _send(client, claim.payload)
    except WeChatError as exc:
        verdict = classify(exc)
        if verdict is Verdict.RETRY and claim.attempts < deps.settings.reply_send_max_attempts:
            await deps.repo.settle_delivery(
                enquiry["_id"], state=DeliveryState.PENDING.value, error=str(exc), sent_at=None
            )
            deps.metrics.reply_sends.labels(str(claim.payload["channel"]), "retry").inc()
            _log.info("reply_send_retry", enquiry_id=enquiry_id, attempt=claim.attempts)
            raise  # released by the job loop, retried later
        state = DeliveryState.UNKNOWN if verdict is Verdict.UNKNOWN else DeliveryState.FAILED
        return await _settle(claim, enquiry, deps, state, error=str(exc)[:500])
    return await _settle(claim, enquiry, deps, DeliveryState.SENT)


async def run_reply_sender(deps: FeedbackDeps) -> None:
    """The background loop sending replies, with one WeChat client."""
    async with deps.wechat_client() as client:
        await deps.job_loop(REPLY_SEND, lambda claim: send_reply(claim, client, deps)).run()
