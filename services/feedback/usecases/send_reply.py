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

from enum import StrEnum
from typing import Any

import structlog

from services.feedback.deps import REPLY_SEND, FeedbackDeps, account_kind, reply_send_key
from services.feedback.domain.enquiry import Delivery, DeliveryState
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.keys import COMMENT_SOURCE, MESSAGE_SOURCE
from services.feedback.ports import FeedbackTx
from shared.accounts import DEFAULT_ACCOUNT
from shared.jobs import Claim
from shared.wechat import (
    AccessTokenInvalid,
    OutcomeUnknown,
    QuotaExceeded,
    TransientWeChatError,
    WeChatClient,
    WeChatError,
)

__all__ = [
    "Verdict",
    "classify",
    "run_reply_sender",
    "schedule_reply_send",
    "send_reply",
]

_log = structlog.get_logger("feedback.replies")


class Verdict(StrEnum):
    """What a failed send means for the delivery."""

    RETRY = "retry"  # WeChat did nothing: try again later
    FAILED = "failed"  # WeChat refused for good: tell staff
    UNKNOWN = "unknown"  # it may have been sent: never resend, tell staff


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


async def schedule_reply_send(
    enquiry: FeedbackItem, *, reply_key: str, text: str, tx: FeedbackTx, deps: FeedbackDeps
) -> bool:
    """Inside the reply's transaction: schedule the send of ``text`` if this reply
    (``reply_key``) is the enquiry's answer, the enquiry came from WeChat and its account
    has WeChat app credentials. True when a send was scheduled (``enquiry`` is the enquiry
    as the reply left it)."""
    if not deps.settings.reply_send_enabled or deps.wechat_app(enquiry.account) is None:
        return False
    answer = enquiry.enquiry
    if answer is None or answer.reply_key != reply_key or answer.delivery is not None:
        return False
    target = enquiry.send_target()
    if target is None:
        return False
    if not await tx.items.start_delivery(enquiry, Delivery(channel=target["channel"])):
        return False
    await tx.jobs.schedule(
        reply_send_key(enquiry.key),
        kind=account_kind(REPLY_SEND, enquiry.account),
        due_at=deps.clock.now(),
        payload={"enquiry_id": enquiry.key, "text": text, "account": enquiry.account, **target},
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
    enquiry: FeedbackItem,
    deps: FeedbackDeps,
    state: DeliveryState,
    *,
    error: str | None = None,
) -> DeliveryState:
    """Record a final outcome on the enquiry, count it and finish the job."""
    channel = str(claim.payload["channel"])
    sent_at = deps.clock.now() if state is DeliveryState.SENT else None
    await deps.items.settle_delivery(enquiry, state=state, error=error, sent_at=sent_at)
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


def _delivery_state(enquiry: FeedbackItem | None) -> DeliveryState | None:
    answer = enquiry.enquiry if enquiry is not None else None
    return answer.delivery.state if answer is not None and answer.delivery is not None else None


async def send_reply(claim: Claim, *, deps: FeedbackDeps, client: WeChatClient) -> DeliveryState:
    """One attempt to send a reply (``client``: its account's WeChat app); raises (so the
    job loop retries) on a transient failure."""
    enquiry_id = str(claim.payload["enquiry_id"])
    enquiry = await deps.items.get_enquiry(enquiry_id)
    state = _delivery_state(enquiry)
    if enquiry is None or state is None:
        await deps.jobs.complete(claim, outcome="failed", result={"error": "no delivery"})
        return DeliveryState.FAILED
    if state is not DeliveryState.PENDING:
        await deps.jobs.complete(claim, result={"delivery": state.value})
        return state
    if not await deps.items.begin_delivery_attempt(
        enquiry, attempts=claim.attempts, now=deps.clock.now()
    ):
        again = _delivery_state(await deps.items.get_enquiry(enquiry_id))
        if again is not None and again is not DeliveryState.PENDING:
            # settled meanwhile by another replica
            await deps.jobs.complete(claim, result={"delivery": again.value})
            return again
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
            await deps.items.settle_delivery(
                enquiry, state=DeliveryState.PENDING, error=str(exc), sent_at=None
            )
            deps.metrics.reply_sends.labels(str(claim.payload["channel"]), "retry").inc()
            _log.info("reply_send_retry", enquiry_id=enquiry_id, attempt=claim.attempts)
            raise  # released by the job loop, retried later
        state = DeliveryState.UNKNOWN if verdict is Verdict.UNKNOWN else DeliveryState.FAILED
        return await _settle(claim, enquiry, deps, state, error=str(exc)[:500])
    return await _settle(claim, enquiry, deps, DeliveryState.SENT)


async def run_reply_sender(account: str = DEFAULT_ACCOUNT, *, deps: FeedbackDeps) -> None:
    """The background loop sending an account's replies with its WeChat app."""
    async with deps.wechat_client(account) as client:
        await deps.job_loop(
            account_kind(REPLY_SEND, account),
            lambda claim: send_reply(claim, deps=deps, client=client),
        ).run()
