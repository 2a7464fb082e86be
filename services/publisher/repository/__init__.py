"""The only code that touches the publisher's collections (and its ``jobs``, ``audit``).

* ``posts`` — one document per approved draft revision (:mod:`.posts`);
* ``slot_assignments`` — one document per taken seat, and ``calendar`` — each account's
  ``hold`` document (:mod:`.calendar`);
* ``channel_records`` — what a channel remembers per post (:mod:`.channel_progress`);
* :mod:`.tx` — :class:`MongoPublisherTx`, the repositories bound to one transaction
  (``bind``), which the use cases get from ``deps.uow.run``.
"""

from services.publisher.repository.calendar import MongoCalendar, MongoSeatRepository
from services.publisher.repository.channel_progress import MongoChannelProgress
from services.publisher.repository.posts import (
    ACCOUNT_COLLECTIONS,
    PUBLISHER_INDEXES,
    MongoPostRepository,
)
from services.publisher.repository.tx import MongoPublisherTx, binder

__all__ = [
    "ACCOUNT_COLLECTIONS",
    "PUBLISHER_INDEXES",
    "MongoCalendar",
    "MongoChannelProgress",
    "MongoPostRepository",
    "MongoPublisherTx",
    "MongoSeatRepository",
    "binder",
]
