"""The reliable-consume rules, applied to every subscriber by :func:`middleware_for`:

* success -> ack;
* ``AlreadyProcessed`` (idempotency record exists) -> ack, counted as duplicate;
* poison (``ValidationError``, ``PoisonMessage``, an undecodable body) -> published to
  the queue's DLQ with ``x-dlq-reason`` / ``x-dlq-detail`` headers (confirmed), then
  ack: never a retry loop. An envelope whose ``schema_version`` this code does not know
  is poison too, under the reason ``unknown_schema_version``: never read as version 1;
* transient or unexpected -> published to the queue's retry queue with an attempt
  header (it returns after the TTL); after ``max_retries`` -> DLQ with the last error;
* if even that publish fails (broker gone), the message stays unacked and RabbitMQ
  redelivers it: nothing accepted is lost. A message that kills its consumer over and
  over hits the quorum queue's ``x-delivery-limit`` and is dead-lettered by the broker.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from aio_pika import IncomingMessage
from faststream.middlewares import BaseMiddleware
from faststream.rabbit import RabbitBroker
from pydantic import ValidationError

from shared.errors import AlreadyProcessed, PoisonMessage, is_transient
from shared.events import (
    UNKNOWN_SCHEMA_VERSION,
    UnknownSchemaVersion,
)
from shared.metrics import MessagingMetrics
from shared.topology import Topology

__all__ = ["RETRY_HEADER", "ConsumePolicy", "middleware_for"]

RETRY_HEADER = "x-retry-attempt"
_log = structlog.get_logger("messaging")


@dataclass
class ConsumePolicy:
    """What the middleware needs to route failures."""

    service: str
    topology: Topology
    metrics: MessagingMetrics
    max_retries: int
    broker: RabbitBroker | None = None


def middleware_for(policy: ConsumePolicy) -> type[BaseMiddleware]:
    class ReliableConsume(BaseMiddleware):
        """Ack, retry or dead-letter each message by the rules in the module docstring."""

        async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
            raw: IncomingMessage = msg.raw_message
            handler = self.context.get_local("handler_")
            queue = handler.queue.name if handler is not None else str(raw.routing_key)
            structlog.contextvars.bind_contextvars(
                event_id=raw.message_id, correlation_id=raw.correlation_id, queue=queue
            )
            started = time.perf_counter()
            try:
                result = await call_next(msg)
            except AlreadyProcessed:
                _log.info("duplicate_skipped")
                policy.metrics.duplicates.labels(queue).inc()
                await msg.ack()
                return None
            except (ValidationError, PoisonMessage, ValueError) as exc:
                reason, detail = _poison(exc)
                await _dead_letter(policy, raw, queue, reason, detail)
                await msg.ack()
                return None
            except Exception as exc:
                attempt = _attempt(raw)
                kind = "transient" if is_transient(exc) else "error"
                if attempt < policy.max_retries:
                    _log.warning("retrying", error=repr(exc), attempt=attempt + 1, kind=kind)
                    await _retry(policy, raw, queue, attempt + 1, repr(exc))
                else:
                    await _dead_letter(policy, raw, queue, f"retries_exhausted_{kind}", repr(exc))
                await msg.ack()
                return None
            else:
                await msg.ack()
                _log.debug("consumed")
                return result
            finally:
                policy.metrics.handler_seconds.labels(queue).observe(time.perf_counter() - started)
                structlog.contextvars.unbind_contextvars("event_id", "correlation_id", "queue")

    return ReliableConsume


def _attempt(raw: IncomingMessage) -> int:
    value = (raw.headers or {}).get(RETRY_HEADER, 0)
    return value if isinstance(value, int) else 0


def _poison(exc: Exception) -> tuple[str, str]:
    """The dead-letter reason and detail of a message that can never succeed."""
    if isinstance(exc, PoisonMessage):
        return exc.reason, _describe(exc)
    if isinstance(exc, ValidationError):
        unknown = [
            e
            for e in exc.errors()
            if isinstance(e.get("ctx", {}).get("error"), UnknownSchemaVersion)
        ]
        if unknown:  # what else fails in a payload of another version is beside the point
            return UNKNOWN_SCHEMA_VERSION, str(unknown[0]["ctx"]["error"])[:2000]
        return "validation_failed", _describe(exc)
    # ValueError covers undecodable bodies (JSONDecodeError, UnicodeDecodeError)
    return "malformed_body", _describe(exc)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in err['loc']) or '<body>'}: {err['msg']}"
            for err in exc.errors()[:10]
        ]
        return "; ".join(parts)[:2000]
    return str(exc)[:2000]


def _queue_names(policy: ConsumePolicy, queue: str) -> tuple[str, str]:
    return f"{queue}.dlq", f"{queue}.retry"


def _carried_headers(raw: IncomingMessage) -> dict[str, Any]:
    """The message's headers minus the broker's dead-letter history.

    Our republish is a new message. Carrying ``x-death`` over would make RabbitMQ see
    retry -> main -> retry as a dead-letter cycle made only of TTL expiries, and it
    silently drops such messages: an accepted event would be lost.
    """
    return {
        key: value
        for key, value in (raw.headers or {}).items()
        if key != "x-death" and not key.startswith(("x-first-death", "x-last-death"))
    }


async def _republish(
    policy: ConsumePolicy,
    raw: IncomingMessage,
    *,
    exchange: str,
    routing_key: str,
    headers: dict[str, Any],
) -> None:
    assert policy.broker is not None
    await policy.broker.publish(
        raw.body,
        exchange=exchange,
        routing_key=routing_key,
        headers={**_carried_headers(raw), **headers},
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        content_type=raw.content_type,
        persist=True,
        mandatory=True,
    )


async def _dead_letter(
    policy: ConsumePolicy, raw: IncomingMessage, queue: str, reason: str, detail: str
) -> None:
    dlq, _ = _queue_names(policy, queue)
    _log.error("dead_lettered", reason=reason, detail=detail)
    await _republish(
        policy,
        raw,
        exchange=policy.topology.dead_letter_exchange.name,
        routing_key=dlq,
        headers={
            "x-dlq-reason": reason,
            "x-dlq-detail": detail,
            "x-original-queue": queue,
            "x-original-routing-key": raw.routing_key or "",
            "x-dead-lettered-at": datetime.now(UTC).isoformat(),
        },
    )
    policy.metrics.dead_lettered.labels(queue, reason).inc()


async def _retry(
    policy: ConsumePolicy, raw: IncomingMessage, queue: str, attempt: int, error: str
) -> None:
    _, retry = _queue_names(policy, queue)
    await _republish(
        policy,
        raw,
        exchange=policy.topology.retry_exchange.name,
        routing_key=retry,
        headers={RETRY_HEADER: attempt, "x-last-error": error[:1000]},
    )
    policy.metrics.retried.labels(queue).inc()
