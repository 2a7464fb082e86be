"""The one envelope every event travels in.

Every message on the bus is ``EventEnvelope`` with a typed ``payload``; the AMQP
``message_id`` is the ``event_id`` and the routing key is the ``event_type``.
Contracts change only compatibly: new optional fields, or a new ``schema_version``
consumed side by side.

A consumer reads only the versions it knows (``SCHEMA_VERSIONS`` of the event's class):
an envelope whose ``schema_version`` is not among them fails validation with
:class:`UnknownSchemaVersion`, and the consume middleware dead-letters it under the
reason :data:`UNKNOWN_SCHEMA_VERSION` instead of reading it as version 1. A breaking change
adds its version to ``SCHEMA_VERSIONS`` together with an upcaster (a ``mode="before"``
model validator that turns the older payload into the newer), so both are consumed side
by side.

Accounts (#12): ``schema_version`` 2 adds ``account``, the official account the event
belongs to (:mod:`shared.accounts`). Every contract reads 1 and 2 and writes 2; a
version-1 envelope belongs to :data:`~shared.accounts.DEFAULT_ACCOUNT` whatever it carries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT

__all__ = [
    "UNKNOWN_SCHEMA_VERSION",
    "CURRENT_SCHEMA_VERSION",
    "Contract",
    "EventEnvelope",
    "UnknownSchemaVersion",
    "utc",
]

CURRENT_SCHEMA_VERSION = 2
"""The version every producer writes: version 1 plus the ``account``."""
UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
"""The dead-letter reason of an envelope whose ``schema_version`` is not one it knows."""


class UnknownSchemaVersion(ValueError):
    """Raised by validation for a ``schema_version`` the event's class does not read;
    pydantic reports it as a ``value_error`` whose ``ctx["error"]`` is this exception."""


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (UTC offset required)")
    return value.astimezone(UTC)


class Contract(BaseModel):
    """Base of every payload: unknown fields are ignored so producers can add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EventEnvelope(BaseModel):
    """Fields common to every event; subclasses fix ``event_type`` and ``payload``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    EVENT_TYPE: ClassVar[str] = ""
    SCHEMA_VERSIONS: ClassVar[frozenset[int]] = frozenset({1, 2})
    """The payload versions this code reads; any other is refused, never guessed."""

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this event; also the AMQP message_id. Consumers dedupe on it.",
        examples=["5b0f3c1e-8f53-4f7e-9a59-6a1f1c2d3e4f"],
    )
    schema_version: int = Field(
        default=CURRENT_SCHEMA_VERSION,
        ge=1,
        description="Version of the event's schema: 2 carries ``account``; 1 (before "
        "accounts) is still read and belongs to the account 'default'.",
        examples=[2],
    )
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        pattern=ACCOUNT_ID_PATTERN,
        description="The official account (公众号) the event belongs to (since version 2).",
        examples=["default", "talent"],
    )
    occurred_at: AwareDatetime = Field(
        description="When the fact happened, aware UTC (ISO 8601 with offset).",
        examples=["2026-11-23T03:30:00Z"],
    )
    producer: str = Field(
        min_length=1,
        max_length=64,
        description="Service or system that produced the event.",
        examples=["drafting"],
    )
    correlation_id: str = Field(
        min_length=1,
        max_length=128,
        description="Id of the draft or post this event belongs to; groups a pipeline run.",
        examples=["draft-6f1c2a"],
    )

    @model_validator(mode="before")
    @classmethod
    def _upcast_v1(cls, data: Any) -> Any:
        """Version 1 knew no accounts: it belongs to the default account."""
        if isinstance(data, dict) and data.get("schema_version") == 1:
            return {**data, "account": DEFAULT_ACCOUNT}
        return data

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value not in cls.SCHEMA_VERSIONS:
            known = ", ".join(str(v) for v in sorted(cls.SCHEMA_VERSIONS))
            raise UnknownSchemaVersion(
                f"schema_version {value} of {cls.EVENT_TYPE or cls.__name__} is unknown here "
                f"(known: {known})"
            )
        return value

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)

    def headers(self) -> dict[str, Any]:
        """AMQP headers that let a consumer route or log without parsing the body."""
        return {
            "event_type": self.EVENT_TYPE,
            "schema_version": self.schema_version,
            "producer": self.producer,
            "account": self.account,
        }
