"""The direct consumer's acks (shared.consume.DirectConsumer): a message is acked only
after its handler returned, never before; the messages a batch write releases together
are acked with one frame; a failure is dead-lettered or retried before its ack."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from shared.consume import ConsumePolicy, DirectConsumer
from shared.errors import AlreadyProcessed
from shared.metrics import MessagingMetrics
from shared.topology import Topology


class Channel:
    """Records the acks and nacks sent on it, as ``(tag, multiple)``."""

    def __init__(self) -> None:
        self.acks: list[tuple[int, bool]] = []
        self.nacks: list[int] = []

    def acked(self) -> set[int]:
        """Every delivery tag an ack covered (a multiple ack covers all up to its tag)."""
        covered: set[int] = set()
        for tag, multiple in self.acks:
            covered |= set(range(1, tag + 1)) if multiple else {tag}
        return covered


class Message:
    """The parts of an aio-pika incoming message the consumer uses."""

    def __init__(self, channel: Channel, tag: int, body: bytes = b"{}") -> None:
        self.channel = channel
        self.delivery_tag = tag
        self.body = body
        self.message_id = f"m-{tag}"
        self.correlation_id = f"c-{tag}"
        self.headers: dict[str, Any] = {}
        self.routing_key = "feedback.received"
        self.content_type = "application/json"

    async def ack(self, multiple: bool = False) -> None:
        self.channel.acks.append((self.delivery_tag, multiple))

    async def nack(self, requeue: bool = True) -> None:
        self.channel.nacks.append(self.delivery_tag)


def consumer(
    handle: Any, registry: CollectorRegistry | None = None
) -> tuple[DirectConsumer, ConsumePolicy]:
    registry = registry or CollectorRegistry()
    policy = ConsumePolicy(
        service="feedback",
        topology=Topology(namespace="t."),
        metrics=MessagingMetrics.create(registry, "feedback"),
        max_retries=3,
    )
    direct = DirectConsumer(
        policy,
        url="amqp://unused",
        event="feedback.received",
        handle=handle,
        prefetch=10,
        grace=1.0,
        registry=registry,
    )
    return direct, policy


async def test_a_message_is_acked_only_after_its_handler_returned_and_in_one_frame() -> None:
    release: dict[bytes, asyncio.Event] = {b"1": asyncio.Event(), b"2": asyncio.Event()}

    async def handle(body: bytes) -> None:
        await release[body[:1]].wait()  # "1": the first batch's write, "2": the second's

    direct, _ = consumer(handle)
    channel = Channel()
    bodies = [b"1", b"2", b"1", b"1", b"2"]  # tags 1..5
    tasks = [
        asyncio.create_task(direct._on_message(Message(channel, tag, body)))  # type: ignore[arg-type]
        for tag, body in enumerate(bodies, start=1)
    ]
    await asyncio.sleep(0.01)
    assert channel.acks == []  # nothing written yet: nothing acked

    release[b"2"].set()  # the second batch is written first
    await asyncio.sleep(0.01)
    assert channel.acked() == set()  # tag 1 is still being handled: it holds back 2 and 5

    release[b"1"].set()
    await asyncio.gather(*tasks)
    assert channel.acked() == {1, 2, 3, 4, 5}
    assert channel.acks == [(5, True)]  # released together, acked with one frame


async def test_failures_are_routed_before_their_ack_and_a_lost_route_is_requeued() -> None:
    published: list[tuple[str, dict[str, Any]]] = []

    async def handle(body: bytes) -> None:
        if body == b"dup":
            raise AlreadyProcessed("e-1")
        if body == b"poison":
            raise ValidationError.from_exception_data("FeedbackReceived", [])
        if body == b"lost":
            raise RuntimeError("boom")

    class Broker:
        async def publish(self, body: bytes, **kwargs: Any) -> None:
            if body == b"lost":
                raise ConnectionError("the broker is gone")
            published.append((kwargs["routing_key"], kwargs["headers"]))

    registry = CollectorRegistry()
    direct, policy = consumer(handle, registry)
    policy.broker = Broker()  # type: ignore[assignment]
    channel = Channel()
    for tag, body in enumerate([b"ok", b"dup", b"poison", b"lost"], start=1):
        await direct._on_message(Message(channel, tag, body))  # type: ignore[arg-type]

    assert channel.acked() == {1, 2, 3}
    assert channel.nacks == [4]  # not dead-lettered nor retried: back to the queue, never acked
    [(routing_key, headers)] = published
    assert routing_key == "t.feedback.feedback.received.dlq"
    assert headers["x-dlq-reason"] == "validation_failed"
    queue = "t.feedback.feedback.received"
    assert registry.get_sample_value("contentops_duplicate_events_total", {"queue": queue}) == 1
    received = {"queue": queue}
    assert registry.get_sample_value("contentops_direct_received_messages_total", received) == 4
