"""Turn WeChat JSON answers into value objects (private: used by the client)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .models import (
    ArticleStats,
    ArticleStatsPage,
    Comment,
    CommentReply,
    PublishState,
    PublishStatus,
)

__all__ = ["article_stats_from_json", "comments_from_json", "publish_status_from_json"]

#: Where each counter of a datacube detail row is read, first present name first.
_READS = ("read_user",)
_SHARES = ("share_user",)
_LIKES = ("like_user", "zaikan_user")


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


# -- datacube: lenient, because WeChat adds counters over time ---------------------------
def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _counter(row: Mapping[str, Any], names: tuple[str, ...]) -> int | None:
    """The first of ``names`` the row carries as a number; None when none is there."""
    for name in names:
        value = row.get(name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    return None


def _msgid(raw: object) -> tuple[str, int] | None:
    """``"2247490098_1"`` -> ``("2247490098", 1)``; None when it is not that shape."""
    msg_data_id, _, index = str(raw or "").rpartition("_")
    if not msg_data_id.isdigit() or not index.isdigit() or int(index) < 1:
        return None
    return msg_data_id, int(index)


def _article(raw: object, is_delay: bool) -> ArticleStats | None:
    """One ``list`` entry as its latest detail row; None when it cannot be read."""
    if not isinstance(raw, Mapping):
        return None
    ids = _msgid(raw.get("msgid"))
    ref_date = _date(raw.get("ref_date"))
    details = raw.get("detail_list")
    if ids is None or ref_date is None or not isinstance(details, list):
        return None
    dated = [
        (stat_date, row)
        for row in details
        if isinstance(row, Mapping) and (stat_date := _date(row.get("stat_date"))) is not None
    ]
    if not dated:
        return None
    stat_date, row = max(dated, key=lambda pair: pair[0])
    return ArticleStats(
        msg_data_id=ids[0],
        index=ids[1],
        ref_date=ref_date,
        stat_date=stat_date,
        reads=_counter(row, _READS),
        shares=_counter(row, _SHARES),
        likes=_counter(row, _LIKES),
        is_delay=is_delay,
    )


def article_stats_from_json(data: Mapping[str, Any], ref_date: date) -> ArticleStatsPage:
    """Build the page of a ``datacube/getarticletotaldetail`` answer for one ref day.

    Each article keeps its detail row with the latest ``stat_date``; entries whose
    ``msgid``, dates or rows cannot be read are skipped, unknown fields are ignored.
    """
    is_delay = bool(data.get("is_delay", False))
    raw_list = data.get("list") or []
    entries = raw_list if isinstance(raw_list, list) else []
    articles = tuple(a for raw in entries if (a := _article(raw, is_delay)) is not None)
    return ArticleStatsPage(ref_date=ref_date, articles=articles, is_delay=is_delay)
