"""The chaos run's workload, through the services' HTTP APIs and the broker, as people and
another internal system would: editors write and submit drafts wishing a slot, the reviewer
approves most and rejects some, and once a post is out a CRM sends its feedback
(``feedback.received`` on RabbitMQ, confirmed), some of it twice.

Every write is made safe to repeat, so a replica dying under a request costs a retry, not
a guess: a draft is created under a unique title and looked for before it is created again;
a submission is idempotent; a decision is read back before it is sent again. The
:class:`Ledger` holds what the services accepted (a 2xx answer, a broker confirm): that is
what the accounting holds them to.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from demo.feedback_bus import FeedbackBus
from shared.clock import Clock, sleep_until
from shared.events import FeedbackKind, FeedbackReceived, FeedbackReceivedPayload
from tests.chaos.api import DIRECTOR, EDITOR, REVIEWER, Api, Unanswered

__all__ = ["DraftPlan", "Ledger", "Workload"]

SOURCE = "chaos-crm"
_TOPICS = ("个税汇算清缴", "社保基数调整", "劳动合同续签", "研发费用加计扣除", "企业数字化管理")
_QUESTIONS = ("请问{t}什么时候开始？", "{t}需要准备哪些材料？", "感谢分享，{t}讲得很清楚。")


@dataclass
class DraftPlan:
    """A draft the editors write for a slot, and what the reviewer will decide."""

    key: str
    title: str
    slot_at: datetime
    approve: bool
    draft_id: str | None = None
    revision: int | None = None
    review_id: str | None = None
    decided: str | None = None


@dataclass
class Ledger:
    """What the services accepted during the run."""

    drafts: list[DraftPlan] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)  # source_id -> post_id
    feedback_unconfirmed: int = 0
    duplicates_sent: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[DraftPlan]:
        return [d for d in self.drafts if d.draft_id is not None and d.revision is not None]

    @property
    def approved(self) -> list[DraftPlan]:
        return [d for d in self.accepted if d.decided == "approved"]


class Workload:
    """Drives drafts, reviews and feedback on the shared accelerated clock."""

    def __init__(
        self,
        *,
        api: Api,
        bus: FeedbackBus,
        clock: Clock,
        slots: list[datetime],
        per_slot: int,
        rejected_per_slot: int,
        feedback_per_post: int,
        rng: random.Random,
        run: str,
    ) -> None:
        self.api = api
        self.bus = bus
        self.clock = clock
        self.slots = slots
        self.feedback_per_post = feedback_per_post
        self.rng = rng
        self.ledger = Ledger()
        for s, slot in enumerate(slots):
            for n in range(per_slot + rejected_per_slot):
                key = f"{run}-s{s}-{n}"
                topic = _TOPICS[(s + n) % len(_TOPICS)]
                self.ledger.drafts.append(
                    DraftPlan(key, f"{topic}要点（{key}）", slot, approve=n < per_slot)
                )
        self.published_seen: dict[str, float] = {}  # post_id -> monotonic when seen

    # -- editors -------------------------------------------------------------------------
    async def write_and_submit(self) -> None:
        for plan in self.ledger.drafts:
            try:
                await self._create(plan)
                await self._submit(plan)
            except Unanswered as exc:
                self.ledger.notes.append(f"draft {plan.key} not accepted: {exc}")

    async def _create(self, plan: DraftPlan) -> None:
        body = {
            "title": plan.title,
            "category": "hr",
            "digest": "本期要点速览",
            "body_html": f"<p>{plan.title}：本文梳理政策要点与办理流程，供企业参考。</p>",
            "wished_slot": plan.slot_at.isoformat(),
        }
        deadline = time.monotonic() + 60
        while plan.draft_id is None:
            try:
                response = await self.api.once("drafting", "POST", "/drafts", EDITOR, json=body)
            except (httpx.TransportError, Unanswered):
                response = None
            if response is not None and response.status_code == 201:
                plan.draft_id = response.json()["id"]
                return
            if response is not None:
                raise Unanswered(f"create {plan.key}: {response.status_code} {response.text}")
            # unclear whether it was created: look for it before creating it again
            plan.draft_id = await self._find_draft(plan.title)
            if plan.draft_id is None and time.monotonic() > deadline:
                raise Unanswered(f"create {plan.key}: no answer")
            await asyncio.sleep(0.3)

    async def _find_draft(self, title: str) -> str | None:
        try:
            drafts = await self.api.every("drafting", "/drafts", DIRECTOR)
        except Unanswered:
            return None
        return next((d["id"] for d in drafts if d["title"] == title), None)

    async def _submit(self, plan: DraftPlan) -> None:
        response = await self.api.call(
            "drafting", "POST", f"/drafts/{plan.draft_id}/submit", EDITOR
        )
        if response.status_code not in (200, 201):
            raise Unanswered(f"submit {plan.key}: {response.status_code} {response.text}")
        plan.revision = int(response.json()["revision"])

    # -- the reviewer --------------------------------------------------------------------
    async def review_all(self, submitted: asyncio.Event, *, within: float) -> None:
        """Decide every accepted draft's review, once the editors are done (bounded)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            waiting = {(d.draft_id, d.revision): d for d in self.ledger.accepted if not d.decided}
            if not waiting and submitted.is_set():
                return
            try:
                queue = await self.api.every("review", "/reviews", REVIEWER, state="pending")
                pending = {line["review_id"] for line in queue}
                for plan in waiting.values():  # decided, but the answer was lost: read back
                    if plan.review_id is not None and plan.review_id not in pending:
                        await self._decide(plan, plan.review_id)
                for line in queue:
                    queued = waiting.get((line["draft_id"], line["revision"]))
                    if queued is not None:
                        await self._decide(queued, line["review_id"])
            except Unanswered:
                continue
            await asyncio.sleep(0.3)
        undecided = [d.key for d in self.ledger.accepted if d.decided is None]
        if undecided:
            self.ledger.notes.append(f"reviews not decided in time: {undecided}")

    async def _decide(self, plan: DraftPlan, review_id: str) -> None:
        plan.review_id = review_id
        review = await self.api.json("review", f"/reviews/{review_id}", REVIEWER)
        if review["state"] != "pending":
            plan.decided = review["state"]  # approved or rejected: what the service says
            return
        if plan.approve:
            body: dict[str, Any] = {
                "comments": "内容合规，同意按计划推送。",
                "content_hash": review["content_hash"],
                "revision": review["revision"],
            }
            if any(f["severity"] == "block" for f in review["findings"]):
                body["override_reason"] = "混沌测试稿件，内容已人工核对"
            path = f"/reviews/{review_id}/approve"
        else:
            body = {"comments": "本期不采用，请改写后再投。"}
            path = f"/reviews/{review_id}/reject"
        try:
            response = await self.api.once("review", "POST", path, REVIEWER, json=body)
        except (httpx.TransportError, Unanswered):
            return  # read back on the next round
        if response.status_code in (200, 201):
            plan.decided = "approved" if plan.approve else "rejected"
        elif response.status_code != 409:
            raise Unanswered(f"decide {plan.key}: {response.status_code} {response.text}")

    # -- the CRM -------------------------------------------------------------------------
    async def feed_slot(self, slot: datetime, *, window_real: float, within: float) -> None:
        """Once each post of ``slot`` is out, send its feedback over the first half of its
        window (some items twice); bounded by ``within`` seconds."""
        while self.clock.now() < slot:
            await sleep_until(self.clock, slot, max_real=0.2)
        deadline = time.monotonic() + within
        fed: set[str] = set()
        tasks: list[asyncio.Task[None]] = []

        def expected() -> set[str | None]:  # approvals may come after the slot under load
            return {d.draft_id for d in self.ledger.approved if d.slot_at == slot}

        def undecided() -> bool:
            return any(d.decided is None for d in self.ledger.drafts if d.slot_at == slot)

        while (undecided() or len(fed) < len(expected())) and time.monotonic() < deadline:
            try:
                posts = await self.api.every("publisher", "/posts", DIRECTOR, state="published")
            except Unanswered:
                continue
            for post in posts:
                if post["draft_id"] in expected() and post["post_id"] not in fed:
                    fed.add(post["post_id"])
                    self.published_seen.setdefault(post["post_id"], time.monotonic())
                    tasks.append(asyncio.create_task(self._feed_post(post["post_id"], window_real)))
            await asyncio.sleep(0.3)
        if len(fed) < len(expected()):
            self.ledger.notes.append(f"slot {slot.isoformat()}: only {len(fed)} posts out to feed")
        await asyncio.gather(*tasks)

    async def _feed_post(self, post_id: str, window_real: float) -> None:
        spacing = window_real / 2 / self.feedback_per_post
        for n in range(self.feedback_per_post):
            source_id = f"{post_id}-fb{n}"
            event = _feedback(post_id, source_id, self.clock.now(), self.rng)
            if await self._publish(event):
                self.ledger.feedback[source_id] = post_id
            if n % 5 == 0:  # the same event again (a producer retrying after a lost confirm)
                self.ledger.duplicates_sent += await self._publish(event)
            if n % 7 == 3:  # the same item again under a new event id (a CRM resync)
                again = _feedback(post_id, source_id, self.clock.now(), self.rng)
                self.ledger.duplicates_sent += await self._publish(again)
            await asyncio.sleep(spacing * self.rng.uniform(0.5, 1.5))

    async def _publish(self, event: FeedbackReceived) -> bool:
        try:
            await self.bus.publish(event)
        except Exception as exc:  # not confirmed: not accepted, and said so
            self.ledger.feedback_unconfirmed += 1
            self.ledger.notes.append(f"feedback {event.payload.source_id} unconfirmed: {exc!r}")
            return False
        return True


def _feedback(post_id: str, source_id: str, at: datetime, rng: random.Random) -> FeedbackReceived:
    topic = rng.choice(_TOPICS)
    return FeedbackReceived(
        event_id=uuid.uuid4(),
        occurred_at=at,
        producer=SOURCE,
        correlation_id=post_id,
        payload=FeedbackReceivedPayload(
            source=SOURCE,
            source_id=source_id,
            kind=FeedbackKind.COMMENT,
            post_id=post_id,
            author=f"reader-{rng.randint(1, 40)}",
            text=rng.choice(_QUESTIONS).format(t=topic),
            received_at=at,
        ),
    )
