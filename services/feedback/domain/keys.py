"""How the service names things: items (``source:source_id``), event ids, digest ids."""

from __future__ import annotations

import uuid

__all__ = [
    "COMMENT_SOURCE",
    "MESSAGE_SOURCE",
    "digest_id_for",
    "item_event_id",
    "item_key",
    "split_key",
]

_ITEM_NAMESPACE = uuid.UUID("5f1c7a40-3d0e-4b7e-9a31-6e8b2c1d0f47")

# The WeChat sources, named here because the poller, the push door and reply sending
# all need them. Comments are keyed ``<msg_data_id>:<index>:<user_comment_id>`` and
# written by the commenter's openid; messages keyed by ``MsgId``, written by the sender's.
COMMENT_SOURCE = "wechat_comment"
MESSAGE_SOURCE = "wechat_message"


def item_key(source: str, source_id: str) -> str:
    """``source:source_id``: how replies name the item they answer (``in_reply_to``)."""
    return f"{source}:{source_id}"


def split_key(key: str) -> tuple[str, str]:
    """``(source, source_id)`` of an item key, split at the first colon.

    The contract's ``in_reply_to`` is ``source:source_id``; a source containing a colon
    cannot be told apart there, so sources are read as colon-free (all known ones are).
    """
    source, _, source_id = key.partition(":")
    return source, source_id


def item_event_id(source: str, source_id: str) -> uuid.UUID:
    """A stable event id for an item that entered through our own doors (not AMQP).

    Stable, so a retried ingestion of the same item emits the same event again and every
    consumer (this service included) sees a duplicate, not a second item.
    """
    return uuid.uuid5(_ITEM_NAMESPACE, item_key(source, source_id))


def digest_id_for(post_id: str) -> str:
    """One document per post: its id is derived from the post, so a re-run cannot fork it."""
    return f"dg-{uuid.uuid5(_ITEM_NAMESPACE, 'digest:' + post_id).hex[:24]}"
