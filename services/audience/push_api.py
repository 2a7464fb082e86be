"""The accounts' WeChat push URLs: ``GET`` (URL check) and ``POST`` (pushes).

``/wechat/push`` is the default account's (``AUDIENCE_WECHAT_TOKEN``, as before
accounts); ``/wechat/push/{account}`` is another account's, checked with that account's
token and message key (``ACCOUNT_<ID>_WECHAT_TOKEN``, ``ACCOUNT_<ID>_WECHAT_AES_KEY``):
each account has its own :class:`~shared.wechat.push_gate.PushGate`, and a push is that
account's (its followers, rules, events). An account this deployment does not have, or
one without a push token, is 404. Mounted only when some account has a token.

The checks are those of the feedback service's endpoint: the signature (constant-time)
and timestamp freshness; in the encrypted mode ``msg_signature``, decryption and the
appid; a body never read beyond ``AUDIENCE_PUSH_MAX_BYTES`` (413); XML without DTDs or
entities; a ``CreateTime`` outside 2000-2100 refused (400). The answer is the passive
reply (encrypted in the encrypted mode) or ``success``, within
``AUDIENCE_PUSH_ANSWER_SECONDS``, else 503 and WeChat re-sends (recorded once).

Timestamps are checked against real time: WeChat signs with its own clock.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Annotated

import structlog
from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from services.audience.deps import AudienceDeps
from services.audience.domain.replies import Reply, ReplyKind
from services.audience.settings import PushCredentials
from services.audience.usecases.receive_push import receive_push
from shared.accounts import DEFAULT_ACCOUNT
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

__all__ = ["AccountPush", "build_push_router", "push_accounts", "reply_xml"]

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


class AccountPush:
    """One account's push checks: its gate (token, message key) and its reply crypto."""

    def __init__(self, credentials: PushCredentials, deps: AudienceDeps) -> None:
        settings = deps.settings
        token = credentials.token.get_secret_value()
        self.crypto: MessageCrypto | None = None
        if credentials.aes_key is not None:
            assert credentials.app_id
            self.crypto = MessageCrypto(
                token, credentials.aes_key.get_secret_value(), credentials.app_id
            )
        self.gate = PushGate(
            token=token,
            crypto=self.crypto,
            max_skew=settings.wechat_max_skew_seconds,
            max_bytes=settings.push_max_bytes,
            count=lambda outcome: deps.metrics.push_requests.labels(outcome).inc(),
        )


def push_accounts(deps: AudienceDeps) -> dict[str, AccountPush]:
    """The accounts with a push token, each with its own gate (``ValueError`` naming an
    account whose encrypted mode is incomplete)."""
    pushes: dict[str, AccountPush] = {}
    for account in deps.accounts.ids:
        credentials = deps.settings.push_credentials(account)
        if credentials is not None:
            pushes[account] = AccountPush(credentials, deps)
    return pushes


def _not_served(account: str) -> ProblemError:
    return ProblemError(
        404,
        "Not found",
        f"No push URL for account {account!r} here.",
        type_="urn:contentops:problem:not-found",
    )


def build_push_router(deps: AudienceDeps, pushes: dict[str, AccountPush]) -> APIRouter:
    """The push routes, each account bound to its token (and AES key in encrypted mode)."""
    settings = deps.settings
    router = APIRouter(prefix="/wechat", tags=["wechat"])

    def served(account: str) -> AccountPush:
        push = pushes.get(account)
        if push is None:
            raise _not_served(account)
        return push

    async def verify(
        account: str, signature: str, timestamp: str, nonce: str, echostr: str
    ) -> PlainTextResponse:
        served(account).gate.verify_url(signature, timestamp, nonce)
        return PlainTextResponse(echostr)

    async def answer(
        account: str,
        request: Request,
        signature: str,
        timestamp: str,
        nonce: str,
        encrypt_type: str,
        msg_signature: str,
    ) -> Response:
        push = served(account)
        started = time.perf_counter()
        now = time.time()
        message = await push.gate.read(
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
                receive_push(message, account=account, deps=deps),
                timeout=settings.push_answer_seconds,
            )
        except TimeoutError as exc:
            deps.metrics.push_requests.labels("slow").inc()
            raise ProblemError(503, "Busy", "could not record the push in time; re-send") from exc
        deps.metrics.push_requests.labels(answer.outcome.value).inc()
        deps.metrics.account_pushes.labels(account, answer.outcome.value).inc()
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
            if push.crypto is not None:
                content = push.crypto.encrypt_reply(
                    content, timestamp=str(int(now)), nonce=secrets.token_hex(8)
                )
        deps.metrics.push_seconds.observe(time.perf_counter() - started)
        media = "text/plain" if answer.reply is None else "application/xml"
        return Response(content, media_type=media)

    responses: dict[int | str, dict[str, object]] = {
        200: {"description": "The passive reply (XML), or `success`."},
        400: {"description": "Unreadable XML, or a CreateTime outside 2000-2100."},
        403: {"description": "Signature, timestamp or appid check failed."},
        404: {"description": "No such account, or no push token for it."},
        413: {"description": "Larger than AUDIENCE_PUSH_MAX_BYTES."},
        503: {"description": "Could not record in time; WeChat re-sends."},
    }
    extra = {BODY_LIMIT_KEY: settings.push_max_bytes}

    @router.get(
        "/push",
        summary="WeChat URL verification (echo), the default account",
        response_class=PlainTextResponse,
    )
    async def verify_url(
        signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
    ) -> PlainTextResponse:
        return await verify(DEFAULT_ACCOUNT, signature, timestamp, nonce, echostr)

    @router.post(
        "/push",
        summary="WeChat message/event push of the default account, answered passively",
        response_class=Response,
        openapi_extra=extra,
        responses=responses,
    )
    async def receive(
        request: Request,
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        return await answer(
            DEFAULT_ACCOUNT, request, signature, timestamp, nonce, encrypt_type, msg_signature
        )

    @router.get(
        "/push/{account}",
        summary="WeChat URL verification (echo) of an account",
        response_class=PlainTextResponse,
    )
    async def verify_account_url(
        account: Annotated[str, Path(max_length=32, description="The official account's id.")],
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> PlainTextResponse:
        return await verify(account, signature, timestamp, nonce, echostr)

    @router.post(
        "/push/{account}",
        summary="WeChat message/event push of an account, answered passively",
        response_class=Response,
        openapi_extra=extra,
        responses=responses,
    )
    async def receive_account(
        request: Request,
        account: Annotated[str, Path(max_length=32, description="The official account's id.")],
        signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        encrypt_type: str = "",
        msg_signature: str = "",
    ) -> Response:
        return await answer(
            account, request, signature, timestamp, nonce, encrypt_type, msg_signature
        )

    return router
