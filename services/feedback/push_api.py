"""The WeChat message/event push endpoint: ``GET`` (URL check) and ``POST`` (pushes).

Mounted only when ``FEEDBACK_WECHAT_TOKEN`` is set (otherwise ``/wechat/push`` is 404).

* ``GET /wechat/push?signature&timestamp&nonce&echostr`` answers ``echostr`` when the
  signature (constant-time) and timestamp freshness check out.
* ``POST /wechat/push``: plain mode checks ``signature``; encrypted (safe) mode
  (``encrypt_type=aes``, on when ``FEEDBACK_WECHAT_ENCODING_AES_KEY`` is set) checks
  ``msg_signature`` and freshness, decrypts and checks the appid. The body is read only
  after the plain signature checks out, and never beyond ``FEEDBACK_PUSH_MAX_BYTES``
  (413, :class:`shared.limits.BodyGuard`). Then the XML is parsed without DTDs or
  entities, a ``CreateTime`` outside the years 2000-2100 is refused (400), the item
  stored, and ``success`` answered. WeChat gives up after 5 s and re-sends: storing is one
  small transaction (annotation is cheap rules), and if the store is slower than
  ``FEEDBACK_PUSH_ANSWER_SECONDS`` we answer 503 and let the re-send (deduplicated by
  ``MsgId``) try again.

Timestamps are checked against real time: WeChat signs with its own clock, not the
service's (possibly simulated) business clock.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from services.feedback.deps import FeedbackDeps
from services.feedback.usecases.receive_push import receive_push
from shared.http import ProblemError
from shared.limits import BODY_LIMIT_KEY
from shared.wechat import (
    SUCCESS_REPLY,
    MessageCrypto,
)
from shared.wechat.push_gate import PushGate

__all__ = ["build_push_router"]

_log = structlog.get_logger("feedback.push")


def build_push_router(deps: FeedbackDeps) -> APIRouter:
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
        summary="WeChat message/event push",
        response_class=Response,
        openapi_extra={BODY_LIMIT_KEY: settings.push_max_bytes},
        responses={
            400: {"description": "Unreadable XML, or a CreateTime outside 2000-2100."},
            403: {"description": "Signature, timestamp or appid check failed."},
            413: {"description": "Larger than FEEDBACK_PUSH_MAX_BYTES."},
            503: {"description": "Could not store in time; WeChat re-sends."},
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
            outcome = await asyncio.wait_for(
                receive_push(message, deps=deps), timeout=settings.push_answer_seconds
            )
        except TimeoutError as exc:
            deps.metrics.push_requests.labels("slow").inc()
            raise ProblemError(503, "Busy", "could not store the push in time; re-send") from exc
        deps.metrics.push_requests.labels(outcome.value).inc()
        return Response(SUCCESS_REPLY, media_type="text/plain")

    return router
