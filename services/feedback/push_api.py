"""The WeChat message/event push endpoints: ``GET`` (URL check) and ``POST`` (pushes).

``/wechat/push`` is the default account's, served when ``FEEDBACK_WECHAT_TOKEN`` is set
(its encrypted mode with ``FEEDBACK_WECHAT_ENCODING_AES_KEY`` + ``FEEDBACK_WECHAT_APP_ID``),
as before accounts. ``/wechat/push/{account}`` serves any account with a push token:
another account's token and message key are its secrets ``wechat_token`` and
``wechat_aes_key`` (:func:`shared.accounts.account_secret`), its app id its
``wechat_app_id``. An unknown account, or one without a token, is 404. Each account has its
own :class:`~shared.wechat.push_gate.PushGate`, so every check holds per account, and a
message pushed to an account's URL is that account's (its enquiry lands in its log).

* ``GET ...?signature&timestamp&nonce&echostr`` answers ``echostr`` when the
  signature (constant-time) and timestamp freshness check out.
* ``POST``: plain mode checks ``signature``; encrypted (safe) mode
  (``encrypt_type=aes``, on when the account has a message key) checks
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
from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from services.feedback.deps import FeedbackDeps
from services.feedback.usecases.receive_push import receive_push
from shared.accounts import DEFAULT_ACCOUNT, account_secret
from shared.http import ProblemError
from shared.limits import BODY_LIMIT_KEY
from shared.settings import secret_text
from shared.wechat import (
    SUCCESS_REPLY,
    MessageCrypto,
)
from shared.wechat.push_gate import PushGate

__all__ = ["build_push_router", "push_gates"]

_log = structlog.get_logger("feedback.push")
_AES_KEY_LENGTH = 43


def _gate(deps: FeedbackDeps, token: str, crypto: MessageCrypto | None) -> PushGate:
    settings = deps.settings
    return PushGate(
        token=token,
        crypto=crypto,
        max_skew=settings.wechat_max_skew_seconds,
        max_bytes=settings.push_max_bytes,
        count=lambda outcome: deps.metrics.push_requests.labels(outcome).inc(),
    )


def push_gates(deps: FeedbackDeps) -> dict[str, PushGate]:
    """One gate per account with a push token; ``ValueError`` naming an account whose
    message key is unusable (start-up stops)."""
    settings = deps.settings
    gates: dict[str, PushGate] = {}
    if settings.push_enabled:
        assert settings.wechat_token is not None
        token = settings.wechat_token.get_secret_value()
        crypto: MessageCrypto | None = None
        if settings.encrypted_push:
            assert settings.wechat_encoding_aes_key is not None
            assert settings.wechat_app_id
            crypto = MessageCrypto(
                token, settings.wechat_encoding_aes_key.get_secret_value(), settings.wechat_app_id
            )
        gates[DEFAULT_ACCOUNT] = _gate(deps, token, crypto)
    for account, spec in settings.accounts.items():
        if account == DEFAULT_ACCOUNT:
            continue
        token = secret_text(account_secret(account, "wechat_token"))
        if not token:
            continue
        aes_key = secret_text(account_secret(account, "wechat_aes_key"))
        crypto = None
        if aes_key:
            if len(aes_key) != _AES_KEY_LENGTH or not spec.wechat_app_id:
                raise ValueError(
                    f"ACCOUNTS: account {account!r}: its wechat_aes_key must be "
                    f"{_AES_KEY_LENGTH} characters and needs its wechat_app_id"
                )
            crypto = MessageCrypto(token, aes_key, spec.wechat_app_id)
        gates[account] = _gate(deps, token, crypto)
    return gates


def build_push_router(deps: FeedbackDeps, gates: dict[str, PushGate]) -> APIRouter:
    """The push routes, one gate per account (its token, and message key when encrypted)."""
    settings = deps.settings
    router = APIRouter(prefix="/wechat", tags=["wechat"])
    responses: dict[int | str, dict[str, str]] = {
        400: {"description": "Unreadable XML, or a CreateTime outside 2000-2100."},
        403: {"description": "Signature, timestamp or appid check failed."},
        404: {"description": "No such account, or it takes no pushes."},
        413: {"description": "Larger than FEEDBACK_PUSH_MAX_BYTES."},
        503: {"description": "Could not store in time; WeChat re-sends."},
    }

    def gate_of(account: str) -> PushGate:
        gate = gates.get(account)
        if gate is None:
            raise ProblemError(404, "Not found", f"No WeChat push URL for account {account!r}.")
        return gate

    async def receive(
        account: str,
        request: Request,
        *,
        signature: str,
        timestamp: str,
        nonce: str,
        encrypt_type: str,
        msg_signature: str,
    ) -> Response:
        gate = gate_of(account)
        message = await gate.read(
            request,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypt_type=encrypt_type,
            msg_signature=msg_signature,
            now=time.time(),
        )
        try:
            outcome = await asyncio.wait_for(
                receive_push(message, deps=deps, account=account),
                timeout=settings.push_answer_seconds,
            )
        except TimeoutError as exc:
            deps.metrics.push_requests.labels("slow").inc()
            raise ProblemError(503, "Busy", "could not store the push in time; re-send") from exc
        deps.metrics.push_requests.labels(outcome.value).inc()
        return Response(SUCCESS_REPLY, media_type="text/plain")

    @router.get("/push", summary="WeChat URL verification (echo)", response_class=PlainTextResponse)
    async def verify_url(
        signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> PlainTextResponse:
        gate_of(DEFAULT_ACCOUNT).verify_url(signature, timestamp, nonce)
        return PlainTextResponse(echostr)

    @router.post(
        "/push",
        summary="WeChat message/event push (the default account)",
        response_class=Response,
        openapi_extra={BODY_LIMIT_KEY: settings.push_max_bytes},
        responses=responses,
    )
    async def receive_default(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        return await receive(
            DEFAULT_ACCOUNT,
            request,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypt_type=encrypt_type,
            msg_signature=msg_signature,
        )

    AccountPath = Path(description="The official account whose WeChat pushes here.")

    @router.get(
        "/push/{account}",
        summary="WeChat URL verification of an account (echo)",
        response_class=PlainTextResponse,
    )
    async def verify_account_url(
        account: str = AccountPath,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> PlainTextResponse:
        gate_of(account).verify_url(signature, timestamp, nonce)
        return PlainTextResponse(echostr)

    @router.post(
        "/push/{account}",
        summary="WeChat message/event push of an account",
        response_class=Response,
        openapi_extra={BODY_LIMIT_KEY: settings.push_max_bytes},
        responses=responses,
    )
    async def receive_account(
        request: Request,
        account: str = AccountPath,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        return await receive(
            account,
            request,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypt_type=encrypt_type,
            msg_signature=msg_signature,
        )

    return router
