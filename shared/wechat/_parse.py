"""Turn WeChat JSON answers into value objects (private: used by the client)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .models import Comment, CommentReply, PublishState, PublishStatus

__all__ = ["comments_from_json", "publish_status_from_json"]


def _article_urls(detail: object) -> tuple[str, ...]:
    if not isinstance(detail, Mapping):
        return ()
    items = detail.get("item") or []
    if not isinstance(items, list):
        return ()
    pairs = [
        (int(item.get("idx", n + 1)), str(item["article_url"]))
        for n, item in enumerate(items)
        if isinstance(item, Mapping) and item.get("article_url")
    ]
    return tuple(url for _, url in sorted(pairs))


def publish_status_from_json(data: Mapping[str, Any], publish_id: str) -> PublishStatus:
    """Build a :class:`PublishStatus` from a ``freepublish/get`` answer."""
    code = int(data.get("publish_status", -1))
    article_id = data.get("article_id")
    fail_idx = data.get("fail_idx") or []
    return PublishStatus(
        publish_id=str(data.get("publish_id", publish_id)),
        state=PublishState.from_code(code),
        status_code=code,
        article_id=str(article_id) if article_id else None,
        article_urls=_article_urls(data.get("article_detail")),
        fail_idx=tuple(int(i) for i in fail_idx) if isinstance(fail_idx, list) else (),
    )


def _reply(raw: object) -> CommentReply | None:
    if not isinstance(raw, Mapping) or not raw.get("content"):
        return None
    return CommentReply(content=str(raw["content"]), create_time=int(raw.get("create_time", 0)))


def comments_from_json(data: Mapping[str, Any]) -> list[Comment]:
    """Build the comments of a ``comment/list`` answer."""
    raw_comments = data.get("comment") or []
    if not isinstance(raw_comments, list):
        return []
    return [
        Comment(
            user_comment_id=int(raw["user_comment_id"]),
            openid=str(raw.get("openid", "")),
            create_time=int(raw.get("create_time", 0)),
            content=str(raw.get("content", "")),
            comment_type=int(raw.get("comment_type", 0)),
            reply=_reply(raw.get("reply")),
        )
        for raw in raw_comments
        if isinstance(raw, Mapping)
    ]
