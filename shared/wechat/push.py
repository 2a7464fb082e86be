"""Helpers for the message/event push endpoint: signatures, parsing, replies.

Framework-free: a route reads the query string and body, then calls
:func:`verify_signature` (plain mode) or :meth:`MessageCrypto.decrypt_message`
(encrypted mode), then :func:`parse_message`, and answers :data:`SUCCESS_REPLY`
(or :func:`text_reply`, encrypted with :meth:`MessageCrypto.encrypt_reply` when needed).
WeChat retries a push three times when no answer comes within 5 seconds, so handlers
must be idempotent (``msg_id`` or ``FromUserName`` + ``CreateTime`` identify a push).

No push event for new comments is relied on here: poll ``comment/list`` for them.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from .crypto import (
    DEFAULT_MAX_BYTES,
    MessageCrypto,
    PushCryptoError,
    cdata,
    safe_fromstring,
    sha1_signature,
    timestamp_is_fresh,
)
from .models import PublishState, PublishStatus

__all__ = [
    "PUBLISH_JOB_FINISH",
    "SUCCESS_REPLY",
    "MessageCrypto",
    "PushCryptoError",
    "PushMessage",
    "PushParseError",
    "parse_message",
    "parse_publish_job_finish",
    "text_reply",
    "verify_signature",
]

PUBLISH_JOB_FINISH = "PUBLISHJOBFINISH"

#: Answer telling WeChat the push was handled and no reply follows.
SUCCESS_REPLY = b"success"


class PushParseError(ValueError):
    """A push body is too large, unsafe (DTD/entities), malformed or lacks a field."""


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One pushed message or event; ``fields`` holds every simple top-level element."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    event: str | None = None
    content: str | None = None
    msg_id: str | None = None
    publish: PublishStatus | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


def verify_signature(
    token: str, signature: str, timestamp: str, nonce: str, now: float, max_skew: float = 300
) -> bool:
    """Check the plain-mode ``signature`` of a push and that its ``timestamp`` is fresh."""
    expected = sha1_signature(token, timestamp, nonce)
    if not hmac.compare_digest(expected, signature.lower()):
        return False
    return timestamp_is_fresh(timestamp, now, max_skew)


def _parse(xml: bytes | str, max_bytes: int) -> Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        return safe_fromstring(data, max_bytes=max_bytes)
    except ValueError as exc:
        raise PushParseError(str(exc)) from exc


def _text(elem: Element, tag: str) -> str | None:
    found = elem.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _int(elem: Element, tag: str) -> int:
    value = _text(elem, tag)
    try:
        return int(value) if value is not None else 0
    except ValueError as exc:
        raise PushParseError(f"<{tag}> is not an integer: {value!r}") from exc


def _publish_status(info: Element) -> PublishStatus:
    publish_id = _text(info, "publish_id")
    status = _text(info, "publish_status")
    if not publish_id or status is None:
        raise PushParseError("PublishEventInfo lacks publish_id or publish_status")
    code = _int(info, "publish_status")
    items = sorted(
        (_int(item, "idx"), _text(item, "article_url") or "")
        for item in info.findall("article_detail/item")
    )
    fail_idx: list[int] = []
    for elem in info.findall("fail_idx"):
        fail_idx.extend(int(part) for part in (elem.text or "").replace(",", " ").split())
    return PublishStatus(
        publish_id=publish_id,
        state=PublishState.from_code(code),
        status_code=code,
        article_id=_text(info, "article_id") or None,
        article_urls=tuple(url for _, url in items if url),
        fail_idx=tuple(fail_idx),
    )


def parse_publish_job_finish(
    xml_event: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> PublishStatus:
    """Read the outcome carried by a ``PUBLISHJOBFINISH`` event."""
    root = _parse(xml_event, max_bytes)
    info = root.find("PublishEventInfo")
    if info is None:
        raise PushParseError("not a PUBLISHJOBFINISH event: no PublishEventInfo")
    return _publish_status(info)


def parse_message(xml_bytes: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PushMessage:
    """Parse a (decrypted) push body into a :class:`PushMessage`."""
    root = _parse(xml_bytes, max_bytes)
    if root.tag != "xml":
        raise PushParseError(f"root element is <{root.tag}>, expected <xml>")
    fields = {child.tag: (child.text or "").strip() for child in root if len(child) == 0}
    msg_type = fields.get("MsgType")
    if not msg_type:
        raise PushParseError("push has no MsgType")
    event = fields.get("Event")
    info = root.find("PublishEventInfo")
    return PushMessage(
        to_user=fields.get("ToUserName", ""),
        from_user=fields.get("FromUserName", ""),
        create_time=_int(root, "CreateTime"),
        msg_type=msg_type,
        event=event,
        content=fields.get("Content"),
        msg_id=fields.get("MsgId") or fields.get("MsgID"),
        publish=_publish_status(info) if info is not None else None,
        fields=fields,
    )


def text_reply(*, to_user: str, from_user: str, content: str, create_time: int) -> bytes:
    """A passive text reply (``to_user`` is the follower's openid, ``from_user`` the account)."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    ).encode()
