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

import asyncio
import contextlib
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage
from faststream.middlewares import BaseMiddleware
from faststream.rabbit import RabbitBroker
from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError

from shared.errors import AlreadyProcessed, PoisonMessage, is_transient
from shared.events import (
    UNKNOWN_SCHEMA_VERSION,
    UnknownSchemaVersion,
)
from shared.metrics import MessagingMetrics
from shared.topology import Topology

__all__ = ["RETRY_HEADER", "ConsumePolicy", "DirectConsumer", "middleware_for"]

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
    timers: dict[str, Any] = {}  # each queue's handler_seconds child, looked up once

    class ReliableConsume(BaseMiddleware):
        """Ack, retry or dead-letter each message by the rules in the module docstring."""

        async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
            raw: AbstractIncomingMessage = msg.raw_message
            handler = self.context.get_local("handler_")
            queue = handler.queue.name if handler is not None else str(raw.routing_key)
            _bind(raw, queue)  # the handler's own log lines name the message
            started = time.perf_counter()
            try:
                result = await call_next(msg)
            except Exception as exc:
                await _route_failure(policy, raw, queue, exc)
                await msg.ack()
                return None
            else:
                await msg.ack()
                return result
            finally:
                timer = timers.get(queue)
                if timer is None:
                    timer = timers[queue] = policy.metrics.handler_seconds.labels(queue)
                timer.observe(time.perf_counter() - started)
                _unbind()

    return ReliableConsume


async def _route_failure(
    policy: ConsumePolicy, raw: AbstractIncomingMessage, queue: str, exc: Exception
) -> None:
    """Count a duplicate, dead-letter poison or send to the retry queue (the caller acks
    after this returns; if it raises, the message stays unacked and is redelivered).

    Only failures log: the success path has no per-message line.
    """
    if isinstance(exc, AlreadyProcessed):
        _log.info("duplicate_skipped")
        policy.metrics.duplicates.labels(queue).inc()
    elif isinstance(exc, (ValidationError, PoisonMessage, ValueError)):
        reason, detail = _poison(exc)
        await _dead_letter(policy, raw, queue, reason, detail)
    else:
        attempt = _attempt(raw)
        kind = "transient" if is_transient(exc) else "error"
        if attempt < policy.max_retries:
            _log.warning("retrying", error=repr(exc), attempt=attempt + 1, kind=kind)
            await _retry(policy, raw, queue, attempt + 1, repr(exc))
        else:
            await _dead_letter(policy, raw, queue, f"retries_exhausted_{kind}", repr(exc))


def _bind(raw: AbstractIncomingMessage, queue: str) -> None:
    structlog.contextvars.bind_contextvars(
        event_id=raw.message_id, correlation_id=raw.correlation_id, queue=queue
    )


def _unbind() -> None:
    structlog.contextvars.unbind_contextvars("event_id", "correlation_id", "queue")


def _attempt(raw: AbstractIncomingMessage) -> int:
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
        if any(e["type"] == "json_invalid" for e in exc.errors()):  # model_validate_json
            return "malformed_body", _describe(exc)
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


def _carried_headers(raw: AbstractIncomingMessage) -> dict[str, Any]:
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
    raw: AbstractIncomingMessage,
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
    policy: ConsumePolicy, raw: AbstractIncomingMessage, queue: str, reason: str, detail: str
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
    policy: ConsumePolicy, raw: AbstractIncomingMessage, queue: str, attempt: int, error: str
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


_RECEIVED: weakref.WeakKeyDictionary[CollectorRegistry, Counter] = weakref.WeakKeyDictionary()


def _received_counter(registry: CollectorRegistry) -> Counter:
    counter = _RECEIVED.get(registry)
    if counter is None:
        counter = Counter(
            "contentops_direct_received_messages_total",
            "Messages received by a direct (aio-pika) consumer, by queue.",
            ["queue"],
            registry=registry,
        )
        _RECEIVED[registry] = counter
    return counter


class DirectConsumer:
    """One queue consumed on aio-pika itself, for a hot path where FastStream's
    per-message pipeline (decoding, dependency injection, middlewares) is the limit.

    The rules are the middleware's (:func:`_route_failure`): ``handle`` gets the raw
    body and decodes it itself (one ``model_validate_json``); when it returns the message
    is acked; ``AlreadyProcessed`` is acked as a duplicate; poison is dead-lettered with
    its reason, then acked; anything else goes to the retry queue (then the DLQ); when
    even that publish fails the message is requeued (``nack``; the quorum queue's
    delivery limit dead-letters one that keeps coming back). The success path does no
    logging and observes no histogram, and acks are coalesced (:class:`_Acks`).

    :meth:`run` is a runtime job: it declares and binds the queue as the subscriber
    would (same arguments; :meth:`consuming` says when), consumes with ``prefetch`` on
    its own connection until it is cancelled, then stops taking messages, waits up to
    ``grace`` seconds for the handlers in flight (so their writes commit and they are
    acked), and closes. Messages prefetched but not handled go back to the queue with
    the channel.
    """

    def __init__(
        self,
        policy: ConsumePolicy,
        *,
        url: str,
        event: str,
        handle: Callable[[bytes], Awaitable[None]],
        prefetch: int,
        grace: float,
        registry: CollectorRegistry,
    ) -> None:
        self._policy = policy
        self._url = url
        self._event = event
        self._handle = handle
        self._prefetch = prefetch
        self._grace = grace
        self.queue = policy.topology.queue(policy.service, event)
        self._received = _received_counter(registry).labels(self.queue.name)
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._consuming = asyncio.Event()
        self._acks: _Acks | None = None

    async def run(self) -> None:
        connection = await aio_pika.connect_robust(self._url)
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._prefetch)
            topology = self._policy.topology
            exchange = await channel.get_exchange(topology.exchange.name, ensure=False)
            spec = self.queue
            queue = await channel.declare_queue(
                spec.name,
                durable=spec.durable,
                exclusive=spec.exclusive,
                auto_delete=spec.auto_delete,
                arguments=dict(spec.arguments or {}),
            )
            await queue.bind(exchange, routing_key=spec.routing_key or self._event)
            tag = await queue.consume(self._on_message)
            try:
                self._consuming.set()
                await asyncio.get_running_loop().create_future()  # until the runtime stops
            finally:
                with contextlib.suppress(Exception):
                    await queue.cancel(tag)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), timeout=self._grace)
        finally:
            self._consuming.clear()
            await connection.close()

    async def consuming(self) -> None:
        """Wait until the queue is declared, bound and consumed."""
        await self._consuming.wait()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        acks = self._acks
        if acks is None or acks.channel is not message.channel:  # first, or reconnected
            acks = self._acks = _Acks(message.channel)
        acks.pending.append(message.delivery_tag or 0)  # in delivery order, before any await
        self._inflight += 1
        self._idle.clear()
        self._received.inc()
        try:
            try:
                await self._handle(message.body)
            except Exception as exc:
                _bind(message, self.queue.name)
                try:
                    await _route_failure(self._policy, message, self.queue.name, exc)
                except Exception as lost:  # the broker is gone: back to the queue
                    _log.error("not_settled", error=repr(lost))
                    await message.nack(requeue=True)
                    await acks.settle(message, acked=False)
                    return
                finally:
                    _unbind()
            await acks.settle(message)
        except Exception as exc:  # the channel is gone: unacked, the message comes back
            _log.error(
                "not_acked", error=repr(exc), event_id=message.message_id, queue=self.queue.name
            )
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()


class _Acks:
    """The acks of one channel's deliveries, coalesced.

    A handled message is *settled*; the longest run of settled deliveries from the
    oldest unacked one is acked with one ``basic.ack(multiple=True)`` at its last tag.
    The handlers a batch write releases all settle in one turn of the loop, so a batch
    costs one ack frame instead of one per message; a message still being handled holds
    back the acks of later ones (never the other way round: nothing is acked before
    its handler returned). Deliveries are recorded in order, before any await, and the
    channel is this consumer's alone, so ``multiple`` covers only settled messages.
    """

    def __init__(self, channel: object) -> None:
        self.channel = channel
        self.pending: deque[int] = deque()
        self._settled: dict[int, AbstractIncomingMessage | None] = {}
        self._flushing = False

    async def settle(self, message: AbstractIncomingMessage, *, acked: bool = True) -> None:
        """``message`` is handled; ``acked=False``: it was nacked, and the multiple ack
        is never sent at its tag (a tag no longer outstanding closes the channel)."""
        self._settled[message.delivery_tag or 0] = message if acked else None
        if self._flushing:
            return  # the flush under way (after this turn) takes it
        self._flushing = True
        try:
            await asyncio.sleep(0)  # the handlers released with this one settle first
        finally:
            self._flushing = False
        last: AbstractIncomingMessage | None = None
        while self.pending and self.pending[0] in self._settled:
            last = self._settled.pop(self.pending.popleft()) or last
        if last is not None:
            await last.ack(multiple=True)
