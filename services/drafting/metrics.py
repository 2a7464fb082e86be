"""Domain metrics of the drafting service, in the runtime's registry.

``contentops_drafts{state}`` is recounted from the store by a background loop, so every
replica reports the same totals (aggregate with ``max``, not ``sum``); the transition
counters are per replica (aggregate with ``sum``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.drafting.domain.states import DraftState, Transition
from shared.jobs import every

__all__ = ["DraftingMetrics", "refresh_state_gauge"]


@dataclass(frozen=True)
class DraftingMetrics:
    """Drafts by state, transitions, refused inputs, stale facts, topic ideas."""

    drafts: Gauge
    transitions: Counter
    refused: Counter
    facts: Counter
    topic_ideas: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> DraftingMetrics:
        return cls(
            drafts=Gauge(
                "contentops_drafts",
                "Drafts by state (recounted from the store).",
                ["state"],
                registry=registry,
            ),
            transitions=Counter(
                "contentops_draft_transitions_total",
                "Draft state transitions, by from and to state.",
                ["from_state", "to_state"],
                registry=registry,
            ),
            refused=Counter(
                "contentops_draft_inputs_refused_total",
                "Draft or material writes refused with 422, by first offending field.",
                ["field"],
                registry=registry,
            ),
            facts=Counter(
                "contentops_draft_facts_total",
                "Events from review and the publisher, by event type and outcome "
                "(applied, recorded, stale, duplicate).",
                ["event_type", "outcome"],
                registry=registry,
            ),
            topic_ideas=Counter(
                "contentops_topic_ideas_received_total",
                "Topic ideas received, by source.",
                ["source"],
                registry=registry,
            ),
        )

    def count_transitions(self, transitions: list[Transition]) -> None:
        for step in transitions:
            source = step.from_state.value if step.from_state is not None else "new"
            self.transitions.labels(source, step.to_state.value).inc()

    def set_counts(self, counts: dict[str, int]) -> None:
        for state in DraftState:
            self.drafts.labels(state.value).set(counts.get(state.value, 0))


async def refresh_state_gauge(
    metrics: DraftingMetrics,
    count_by_state: Callable[[], Awaitable[dict[str, int]]],
    *,
    every_seconds: float,
) -> None:
    """Recount drafts by state now and then, until cancelled (a failed recount keeps the
    last values and is tried again)."""

    async def recount() -> None:
        metrics.set_counts(await count_by_state())

    await every(every_seconds, recount)
