"""The WeChat message/event push endpoint: ``GET`` (URL check) and ``POST`` (pushes).

Mounted only when ``FEEDBACK_WECHAT_TOKEN`` is set (otherwise ``/wechat/push`` is 404).

* ``GET /wechat/push?signature&timestamp&nonce&echostr`` answers ``echostr`` when the
  signature (constant-time) and timestamp freshness check out.
* ``POST /wechat/push``: plain mode checks ``signature``; encrypted (safe) mode
  (``encrypt_type=aes``, on when ``FEEDBACK_WECHAT_ENCODING_AES_KEY`` is set) checks
  ``msg_signature`` and freshness, decrypts and checks the appid. Then the XML is parsed
  without DTDs or entities and with a size limit, the item stored, and ``success``
  answered. WeChat gives up after 5 s and re-sends: storing is one small transaction
  (annotation is cheap rules), and if the store is slower than
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
from shared.wechat import (
    SUCCESS_REPLY,
    MessageCrypto,
    PushCryptoError,
    PushParseError,
    parse_message,
    verify_signature,
)

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
    skew = settings.wechat_max_skew_seconds
    router = APIRouter(prefix="/wechat", tags=["wechat"])

    def refuse(outcome: str, detail: str) -> ProblemError:
        deps.metrics.push_requests.labels(outcome).inc()
        _log.warning("wechat_push_refused", outcome=outcome, detail=detail)
        return ProblemError(403, "Forbidden", detail)

    @router.get("/push", summary="WeChat URL verification (echo)", response_class=PlainTextResponse)
    async def verify_url(
        signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> PlainTextResponse:
        if not verify_signature(token, signature, timestamp, nonce, now=time.time(), max_skew=skew):
            raise refuse("bad_signature", "signature or timestamp check failed")
        deps.metrics.push_requests.labels("verified").inc()
        return PlainTextResponse(echostr)

    @router.post("/push", summary="WeChat message/event push", response_class=Response)
    async def receive(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        body = await request.body()
        if len(body) > settings.push_max_bytes:
            deps.metrics.push_requests.labels("too_large").inc()
            raise ProblemError(
                413, "Payload too large", f"pushes are at most {settings.push_max_bytes} bytes"
            )
        now = time.time()
        if crypto is not None:
            if encrypt_type.lower() != "aes":
                raise refuse("not_encrypted", "this endpoint expects encrypted (aes) pushes")
            try:
                xml = crypto.decrypt_message(
                    body,
                    msg_signature=msg_signature,
                    timestamp=timestamp,
                    nonce=nonce,
                    now=now,
                    max_skew=skew,
                )
            except PushCryptoError as exc:
                raise refuse("bad_signature", str(exc)) from exc
        else:
            if not verify_signature(token, signature, timestamp, nonce, now=now, max_skew=skew):
                raise refuse("bad_signature", "signature or timestamp check failed")
            xml = body
        try:
            message = parse_message(xml, max_bytes=settings.push_max_bytes)
        except PushParseError as exc:
            deps.metrics.push_requests.labels("malformed").inc()
            raise ProblemError(400, "Bad request", f"unreadable push: {exc}") from exc
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
