"""Failure kinds that steer what happens to a consumed message::

    Exception
    ├── PoisonMessage      the message can never succeed -> DLQ with the reason, no retry
    ├── TransientError     may succeed later -> delayed retry, then DLQ when retries run out
    └── AlreadyProcessed   the idempotency record exists -> ack, no second effect

pydantic ``ValidationError`` counts as poison; PyMongo connection errors and
``TransientTransactionError`` count as transient (see :func:`is_transient`).
"""

from __future__ import annotations

import asyncio

from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

__all__ = ["AlreadyProcessed", "PoisonMessage", "TransientError", "is_transient"]


class PoisonMessage(Exception):
    """A message that no retry can fix (invalid, unknown version, violates a rule)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class TransientError(Exception):
    """A failure worth retrying later (a dependency is down or busy)."""


class AlreadyProcessed(Exception):
    """The event was consumed before; its effect exists."""


def is_transient(exc: BaseException) -> bool:
    """True for failures that a delayed retry may fix."""
    if isinstance(exc, TransientError | ConnectionFailure | TimeoutError | asyncio.TimeoutError):
        return True
    if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
        return True
    return isinstance(exc, OperationFailure) and exc.code in {112, 11600, 11602, 91, 189}
