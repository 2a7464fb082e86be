"""In-memory doubles of the publisher's ports, to run its use cases without a store.

Each repository is a :class:`~tests.fakes.uow.FakeStore` (a failed unit of work puts it
back as it was) implementing the Protocol of ``services.publisher.ports`` it stands for,
handing out copies like the store does. The post repository applies a transition the
way the Mongo one does: only while the stored post satisfies its guard.
:func:`publisher_deps` wires them into a ``PublisherDeps`` on a :class:`FakeUnitOfWork`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry

from services.publisher.channels import PublishOutcome, PublishRequest, PublishState
from services.publisher.deps import PublisherDeps
from services.publisher.domain import Post, PostState, Transition
from services.publisher.errors import SeatTaken
from services.publisher.metrics import PublisherMetrics
from services.publisher.settings import PublisherSettings
from shared.clock import FixedClock
from tests.fakes.audit import FakeAudit
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork

__all__ = [
    "FakeCalendar",
    "FakePosts",
    "FakePublisherTx",
    "FakeSeats",
    "RecordingChannel",
    "publisher_deps",
]

TOKENS = {"reviewer-token-0000000001": {"subject": "rita", "roles": ["reviewer"]}}


class FakePosts(FakeStore):
    """``PostRepository`` over a dict of posts by id."""

    def __init__(self) -> None:
        self.stored: dict[str, Post] = {}

    def _all(self) -> list[Post]:
        return [p.model_copy(deep=True) for p in self.stored.values()]

    async def get(self, post_id: str) -> Post | None:
        post = self.stored.get(post_id)
        return None if post is None else post.model_copy(deep=True)

    async def by_revision(self, draft_id: str, revision: int) -> Post | None:
        found = [p for p in self._all() if (p.draft_id, p.revision) == (draft_id, revision)]
        return found[0] if found else None

    async def open_older_revisions(self, draft_id: str, revision: int) -> list[Post]:
        not_started = {PostState.SCHEDULED, PostState.PAUSED, PostState.MISSED}
        return [
            p
            for p in self._all()
            if p.draft_id == draft_id and p.revision < revision and p.state in not_started
        ]

    async def earlier_revision_out(self, draft_id: str, revision: int) -> Post | None:
        out = {PostState.PUBLISHED, PostState.SUBMITTING, PostState.PENDING, PostState.UNKNOWN}
        found = [
            p
            for p in self._all()
            if p.draft_id == draft_id and p.revision < revision and p.state in out
        ]
        return found[0] if found else None

    async def insert(self, post: Post) -> None:
        if post.post_id in self.stored or await self.by_revision(post.draft_id, post.revision):
            raise SeatTaken(f"post {post.post_id} already stored")
        self.stored[post.post_id] = post.model_copy(deep=True)

    async def apply(self, transition: Transition) -> bool:
        post = self.stored.get(transition.post_id)
        if post is None or not transition.guard.admits(post):
            return False
        self.stored[post.post_id] = transition.applied_to(post)
        return True

    async def in_states(self, states: Sequence[PostState]) -> list[Post]:
        return [p for p in self._all() if p.state in states]

    async def in_slots(self, slot_keys: Sequence[str]) -> list[Post]:
        return sorted((p for p in self._all() if p.slot_key in slot_keys), key=lambda p: p.post_id)

    async def page(
        self, *, states: Sequence[PostState], offset: int, limit: int
    ) -> tuple[list[Post], int]:
        found = [p for p in self._all() if not states or p.state in states]
        found.sort(key=lambda p: (-p.slot_at.timestamp(), p.post_id))
        return found[offset : offset + limit], len(found)


class FakeSeats(FakeStore):
    """``SeatRepository``: taken seats by ``(slot_key, seat)``."""

    def __init__(self) -> None:
        self.taken_by: dict[tuple[str, int], tuple[datetime, str]] = {}

    async def occupancy(self, since: datetime) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (slot_key, _), (at, _) in self.taken_by.items():
            if at >= since:
                counts[slot_key] += 1
        return dict(counts)

    async def taken(self, slot_key: str) -> set[int]:
        return {seat for (key, seat) in self.taken_by if key == slot_key}

    async def take(self, slot_key: str, seat: int, *, at: datetime, post_id: str) -> None:
        if (slot_key, seat) in self.taken_by:
            raise SeatTaken(f"{slot_key}#{seat}")
        self.taken_by[(slot_key, seat)] = (at, post_id)

    async def free(self, slot_key: str, seat: int | None) -> None:
        if seat is not None:
            self.taken_by.pop((slot_key, seat), None)

    def holders(self) -> dict[str, str]:
        """Slot key -> post id, for slots with one seat."""
        return {key: post_id for (key, _), (_, post_id) in self.taken_by.items()}


class FakeCalendar(FakeStore):
    """``CalendarRepository``: the hold document."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {"_id": "hold", "held": False}

    async def hold(self) -> Mapping[str, Any]:
        return dict(self.doc)

    async def is_held(self) -> bool:
        return bool(self.doc.get("held"))

    async def set_hold(self, *, held: bool, actor: str, reason: str, at: datetime) -> bool:
        if bool(self.doc.get("held")) == held:
            return False
        self.doc = {"_id": "hold", "held": held, "by": actor, "reason": reason, "at": at}
        return True


class FakePublisherTx(FakeTx):
    """The transaction view: the fake repositories (jobs and audit are ``tests.fakes``')
    and ``emit``; ``jobs`` is also ``JobClaims``, a running job's own claim."""

    def __init__(self) -> None:
        super().__init__()
        self.posts = FakePosts()
        self.seats = FakeSeats()
        self.calendar = FakeCalendar()
        self.jobs = FakeJobs()
        self.audit = FakeAudit()


@dataclass
class RecordingChannel:
    """A channel that records what it was asked; ``answers`` scripts its next outcomes."""

    name: str = "fake"
    published: Counter[str] = field(default_factory=Counter)
    answers: list[PublishState | Exception] = field(default_factory=list)
    statuses: dict[str, PublishOutcome] = field(default_factory=dict)

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        answer = self.answers.pop(0) if self.answers else PublishState.PUBLISHED
        if isinstance(answer, Exception):
            raise answer
        self.published[post.post_id] += 1
        return PublishOutcome(
            state=answer,
            channel=self.name,
            post_id=post.post_id,
            publish_id=f"pub-{post.post_id}",
            url=f"https://example.test/{post.post_id}"
            if answer is PublishState.PUBLISHED
            else None,
        )

    async def status(self, publish_id: str) -> PublishOutcome:
        return self.statuses[publish_id]


def publisher_deps(
    clock: FixedClock, *, channel: RecordingChannel | None = None, **settings: Any
) -> tuple[PublisherDeps, FakeUnitOfWork[FakePublisherTx]]:
    """The use cases' dependencies on fakes, and the unit of work they run in."""
    view = FakePublisherTx()
    uow = FakeUnitOfWork(view)
    config = PublisherSettings(api_tokens=TOKENS, **settings)
    deps = PublisherDeps(
        uow=uow,
        posts=view.posts,
        calendar=view.calendar,
        jobs=view.jobs,
        clock=clock,
        channel=channel or RecordingChannel(),
        settings=config,
        policy=config.slot_policy,
        metrics=PublisherMetrics.create(CollectorRegistry()),
    )
    return deps, uow
