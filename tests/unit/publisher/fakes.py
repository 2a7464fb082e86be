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
from shared.accounts import DEFAULT_ACCOUNT
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

    async def draft_account(self, draft_id: str) -> str | None:
        found = [p.account for p in self._all() if p.draft_id == draft_id]
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

    async def in_states(self, accounts: Sequence[str], states: Sequence[PostState]) -> list[Post]:
        return [p for p in self._all() if p.account in accounts and p.state in states]

    async def in_slots(self, accounts: Sequence[str], slot_keys: Sequence[str]) -> list[Post]:
        return sorted(
            (p for p in self._all() if p.account in accounts and p.slot_key in slot_keys),
            key=lambda p: p.post_id,
        )

    async def page(
        self, *, accounts: Sequence[str], states: Sequence[PostState], offset: int, limit: int
    ) -> tuple[list[Post], int]:
        found = [
            p for p in self._all() if p.account in accounts and (not states or p.state in states)
        ]
        found.sort(key=lambda p: (-p.slot_at.timestamp(), p.post_id))
        return found[offset : offset + limit], len(found)


class FakeSeats(FakeStore):
    """``SeatRepository``: taken seats by ``(account, slot_key, seat)``."""

    def __init__(self) -> None:
        self.taken_by: dict[tuple[str, str, int], tuple[datetime, str]] = {}

    async def occupancy(self, account: str, since: datetime) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (owner, slot_key, _), (at, _) in self.taken_by.items():
            if owner == account and at >= since:
                counts[slot_key] += 1
        return dict(counts)

    async def taken(self, account: str, slot_key: str) -> set[int]:
        return {seat for (owner, key, seat) in self.taken_by if (owner, key) == (account, slot_key)}

    async def take(
        self, account: str, slot_key: str, seat: int, *, at: datetime, post_id: str
    ) -> None:
        if (account, slot_key, seat) in self.taken_by:
            raise SeatTaken(f"{account}:{slot_key}#{seat}")
        self.taken_by[(account, slot_key, seat)] = (at, post_id)

    async def free(self, account: str, slot_key: str, seat: int | None) -> None:
        if seat is not None:
            self.taken_by.pop((account, slot_key, seat), None)

    def holders(self, account: str = DEFAULT_ACCOUNT) -> dict[str, str]:
        """Slot key -> post id of ``account``, for slots with one seat."""
        return {
            key: post_id
            for (owner, key, _), (_, post_id) in self.taken_by.items()
            if owner == account
        }


class FakeCalendar(FakeStore):
    """``CalendarRepository``: a hold document per account."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    @property
    def doc(self) -> dict[str, Any]:
        """The default account's hold."""
        return self.docs.get(DEFAULT_ACCOUNT, {"_id": "hold", "held": False})

    async def hold(self, account: str = DEFAULT_ACCOUNT) -> Mapping[str, Any]:
        return dict(self.docs.get(account, {"account": account, "held": False}))

    async def is_held(self, account: str = DEFAULT_ACCOUNT) -> bool:
        return bool(self.docs.get(account, {}).get("held"))

    async def set_hold(
        self, account: str, *, held: bool, actor: str, reason: str, at: datetime
    ) -> bool:
        if await self.is_held(account) == held:
            return False
        self.docs[account] = {
            "account": account,
            "held": held,
            "by": actor,
            "reason": reason,
            "at": at,
        }
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
    clock: FixedClock,
    *,
    channel: RecordingChannel | None = None,
    channels: Mapping[str, RecordingChannel] | None = None,
    **settings: Any,
) -> tuple[PublisherDeps, FakeUnitOfWork[FakePublisherTx]]:
    """The use cases' dependencies on fakes, and the unit of work they run in.

    ``channels``: per account (``accounts_json=`` lists the accounts); every account
    without one gets ``channel`` (or a new :class:`RecordingChannel`).
    """
    view = FakePublisherTx()
    uow = FakeUnitOfWork(view)
    config = PublisherSettings(api_tokens=TOKENS, **settings)
    shared = channel or RecordingChannel()
    deps = PublisherDeps(
        uow=uow,
        posts=view.posts,
        calendar=view.calendar,
        jobs=view.jobs,
        clock=clock,
        channels={a: (channels or {}).get(a, shared) for a in config.accounts.ids},
        settings=config,
        policies={a: config.slot_policy_for(a) for a in config.accounts.ids},
        metrics=PublisherMetrics.create(CollectorRegistry()),
    )
    return deps, uow
