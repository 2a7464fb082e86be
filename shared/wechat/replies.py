"""Passive replies beyond text: a picture or articles, answered in the push response.

A passive reply must reach WeChat within 5 seconds of the push; ``to_user`` is the
follower's openid, ``from_user`` the account's id (the push's ``ToUserName``). In the
encrypted mode, wrap the bytes with :meth:`.crypto.MessageCrypto.encrypt_reply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .crypto import cdata
from .push import text_reply

__all__ = ["NewsArticle", "image_reply", "news_reply", "text_reply"]

#: WeChat shows at most one article card in a passive news reply (since 2018).
MAX_NEWS_ARTICLES = 1


@dataclass(frozen=True, slots=True)
class NewsArticle:
    """An article card: title, description, cover picture URL and the link."""

    title: str
    description: str
    pic_url: str
    url: str


def _head(to_user: str, from_user: str, create_time: int, msg_type: str) -> str:
    return (
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType>{cdata(msg_type)}</MsgType>"
    )


def image_reply(*, to_user: str, from_user: str, media_id: str, create_time: int) -> bytes:
    """A passive picture reply (a permanent or temporary image ``media_id``)."""
    head = _head(to_user, from_user, create_time, "image")
    return f"<xml>{head}<Image><MediaId>{cdata(media_id)}</MediaId></Image></xml>".encode()


def news_reply(
    *, to_user: str, from_user: str, articles: Sequence[NewsArticle], create_time: int
) -> bytes:
    """A passive article reply (WeChat shows the first card only)."""
    shown = list(articles)[:MAX_NEWS_ARTICLES]
    items = "".join(
        "<item>"
        f"<Title>{cdata(a.title)}</Title><Description>{cdata(a.description)}</Description>"
        f"<PicUrl>{cdata(a.pic_url)}</PicUrl><Url>{cdata(a.url)}</Url>"
        "</item>"
        for a in shown
    )
    head = _head(to_user, from_user, create_time, "news")
    return (
        f"<xml>{head}<ArticleCount>{len(shown)}</ArticleCount><Articles>{items}</Articles></xml>"
    ).encode()
