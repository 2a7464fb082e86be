"""The account's one WeChat push URL: ``GET`` (URL check) and ``POST`` (pushes).

Mounted only when ``AUDIENCE_WECHAT_TOKEN`` is set. The checks are those of the feedback
service's endpoint: the signature (constant-time) and timestamp freshness; in the
encrypted mode (``AUDIENCE_WECHAT_ENCODING_AES_KEY``) ``msg_signature``, decryption and
the appid; a body never read beyond ``AUDIENCE_PUSH_MAX_BYTES`` (413); XML without DTDs
or entities; a ``CreateTime`` outside 2000-2100 refused (400). The answer is the passive
reply (encrypted in the encrypted mode) or ``success``, within
``AUDIENCE_PUSH_ANSWER_SECONDS``, else 503 and WeChat re-sends (recorded once).

Timestamps are checked against real time: WeChat signs with its own clock.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from services.audience.deps import AudienceDeps
from services.audience.domain.replies import Reply, ReplyKind
from services.audience.usecases.receive_push import receive_push
from shared.http import ProblemError
from shared.limits import BODY_LIMIT_KEY
from shared.wechat import (
    SUCCESS_REPLY,
    MessageCrypto,
    PushMessage,
    text_reply,
)
from shared.wechat.push_gate import PushGate
from shared.wechat.replies import NewsArticle, image_reply, news_reply

__all__ = ["build_push_router", "reply_xml"]

_log = structlog.get_logger("audience.push")


def reply_xml(message: PushMessage, reply: Reply, now: float) -> bytes:
    """The passive reply to ``message`` (to its sender, from the account)."""
    to_user, from_user, created = message.from_user, message.to_user, int(now)
    if reply.kind is ReplyKind.IMAGE:
        return image_reply(
            to_user=to_user, from_user=from_user, media_id=reply.media_id, create_time=created
        )
    if reply.kind is ReplyKind.NEWS:
        articles = [NewsArticle(a.title, a.description, a.pic_url, a.url) for a in reply.articles]
        return news_reply(
            to_user=to_user, from_user=from_user, articles=articles, create_time=created
        )
    return text_reply(to_user=to_user, from_user=from_user, content=reply.text, create_time=created)


def build_push_router(deps: AudienceDeps) -> APIRouter:
    """The push routes, bound to the configured token (and AES key in encrypted mode)."""
    settings = deps.settings
    assert settings.wechat_token is not None
    token = settings.wechat_token.get_secret_value()
    crypto: MessageCrypto | None = None
    if settings.encrypted_push:
        assert settings.wechat_encoding_aes_key is not None
        assert settings.wechat_app_id
        crypto = MessageCrypto(
            token, settings.wechat_encoding_aes_key.get_secret_value(), settings.wechat_app_id
        )
    router = APIRouter(prefix="/wechat", tags=["wechat"])

    gate = PushGate(
        token=token,
        crypto=crypto,
        max_skew=settings.wechat_max_skew_seconds,
        max_bytes=settings.push_max_bytes,
        count=lambda outcome: deps.metrics.push_requests.labels(outcome).inc(),
    )

    @router.get("/push", summary="WeChat URL verification (echo)", response_class=PlainTextResponse)
    async def verify_url(
        signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> PlainTextResponse:
        gate.verify_url(signature, timestamp, nonce)
        return PlainTextResponse(echostr)

    @router.post(
        "/push",
        summary="WeChat message/event push, answered passively",
        response_class=Response,
        openapi_extra={BODY_LIMIT_KEY: settings.push_max_bytes},
        responses={
            200: {"description": "The passive reply (XML), or `success`."},
            400: {"description": "Unreadable XML, or a CreateTime outside 2000-2100."},
            403: {"description": "Signature, timestamp or appid check failed."},
            413: {"description": "Larger than AUDIENCE_PUSH_MAX_BYTES."},
            503: {"description": "Could not record in time; WeChat re-sends."},
        },
    )
    async def receive(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        started = time.perf_counter()
        now = time.time()
        message = await gate.read(
            request,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypt_type=encrypt_type,
            msg_signature=msg_signature,
            now=now,
        )
        try:
            answer = await asyncio.wait_for(
                receive_push(message, deps=deps), timeout=settings.push_answer_seconds
            )
        except TimeoutError as exc:
            deps.metrics.push_requests.labels("slow").inc()
            raise ProblemError(503, "Busy", "could not record the push in time; re-send") from exc
        deps.metrics.push_requests.labels(answer.outcome.value).inc()
        deps.metrics.replies.labels(answer.by).inc()
        if answer.handed_to_feedback:
            deps.metrics.handed_to_feedback.inc()
        if answer.change is not None:
            deps.metrics.follower_changes.labels(answer.change.value).inc()
        if message.event in ("CLICK", "VIEW") and answer.outcome.value == "recorded":
            deps.metrics.menu_clicks.inc()
        if answer.reply is None:
            content = SUCCESS_REPLY
        else:
            content = reply_xml(message, answer.reply, now)
            if crypto is not None:
                content = crypto.encrypt_reply(
                    content, timestamp=str(int(now)), nonce=secrets.token_hex(8)
                )
        deps.metrics.push_seconds.observe(time.perf_counter() - started)
        media = "text/plain" if answer.reply is None else "application/xml"
        return Response(content, media_type=media)

    return router
