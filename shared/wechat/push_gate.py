"""The checks every WeChat push endpoint makes before it looks at a message (#14).

The feedback service's and the audience service's push URLs check the same way: the
signature (constant-time) and timestamp freshness; in the encrypted mode ``msg_signature``,
decryption and the appid; a body never read beyond the route's limit (413, counted
``too_large``); XML without DTDs or entities; a ``CreateTime`` outside the years
``shared.bounds`` allows refused (400). Refusals are counted by outcome and answered as
problem+json. Timestamps are checked against real time: WeChat signs with its own clock.
Not imported by ``shared.wechat`` itself, so the publisher's client does not load the
HTTP stack's request types.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from starlette.requests import Request

from shared.bounds import MAX_YEAR, MIN_YEAR
from shared.http import ProblemError
from shared.limits import BodyTooLarge
from shared.wechat.crypto import MessageCrypto, PushCryptoError
from shared.wechat.push import PushMessage, PushParseError, parse_message, verify_signature

__all__ = ["PushGate"]

_log = structlog.get_logger("wechat.push")
_EARLIEST = int(datetime(MIN_YEAR, 1, 1, tzinfo=UTC).timestamp())
_LATEST = int(datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()) - 1


@dataclass(frozen=True)
class PushGate:
    """One account's push checks: its token, its crypto (encrypted mode) or None."""

    token: str
    crypto: MessageCrypto | None
    max_skew: float
    max_bytes: int
    count: Callable[[str], None]  # outcome -> the service's push counter

    def refuse(self, outcome: str, detail: str) -> ProblemError:
        self.count(outcome)
        _log.warning("wechat_push_refused", outcome=outcome, detail=detail)
        return ProblemError(403, "Forbidden", detail)

    def malformed(self, detail: str) -> ProblemError:
        self.count("malformed")
        return ProblemError(400, "Bad request", f"unreadable push: {detail}")

    def verify_url(self, signature: str, timestamp: str, nonce: str) -> None:
        """WeChat's URL check (``GET``): the signature over the query, fresh."""
        if not verify_signature(
            self.token, signature, timestamp, nonce, now=time.time(), max_skew=self.max_skew
        ):
            raise self.refuse("bad_signature", "signature or timestamp check failed")
        self.count("verified")

    async def read(
        self,
        request: Request,
        *,
        signature: str,
        timestamp: str,
        nonce: str,
        encrypt_type: str,
        msg_signature: str,
        now: float,
    ) -> PushMessage:
        """The push's message, once every check passed."""
        if self.crypto is None and not verify_signature(
            self.token, signature, timestamp, nonce, now=now, max_skew=self.max_skew
        ):  # plain mode: the signature covers the query only, so check it before reading
            raise self.refuse("bad_signature", "signature or timestamp check failed")
        try:
            body = await request.body()  # BodyGuard stops it at the route's limit
        except BodyTooLarge:
            self.count("too_large")
            raise
        if self.crypto is not None:
            if encrypt_type.lower() != "aes":
                raise self.refuse("not_encrypted", "this endpoint expects encrypted (aes) pushes")
            try:
                xml = self.crypto.decrypt_message(
                    body,
                    msg_signature=msg_signature,
                    timestamp=timestamp,
                    nonce=nonce,
                    now=now,
                    max_skew=self.max_skew,
                )
            except PushCryptoError as exc:
                raise self.refuse("bad_signature", str(exc)) from exc
        else:
            xml = body
        try:
            message = parse_message(xml, max_bytes=self.max_bytes)
        except PushParseError as exc:
            raise self.malformed(str(exc)) from exc
        if message.create_time and not _EARLIEST <= message.create_time <= _LATEST:
            raise self.malformed(
                f"CreateTime {message.create_time} is not between the years "
                f"{MIN_YEAR} and {MAX_YEAR}"
            )
        return message
