"""Which of the publisher's posts the demo run has accounted for, and in which slot.

Where a post goes out is the publisher's decision, not review's: a slot holds two posts,
so an approved draft can be moved to the next free slot (and under load a resubmission can
reach review after 10:00 and be moved too). The ledger knows the draft revisions review
approved, and at each slot settles every post due by then once none is still on its way,
recording the published ones on the timeline; whatever it cannot settle is noted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from demo.client import ApiClient, parse_instant
from demo.newsroom import poll
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import PostRecord, RunRecord

__all__ = ["TERMINAL", "PostLedger"]

TERMINAL = {"published", "failed", "missed", "cancelled"}


class PostLedger:
    """The approved revisions, the posts settled, and the published ones recorded."""

    def __init__(
        self,
        *,
        api: ApiClient,
        record: RunRecord,
        progress: DemoProgress,
        punctuality: Punctuality,
        label: str = "",
    ) -> None:
        self.label = label  # the timeline's mark of a second account's posts (#12)
        self.api = api
        self.record = record
        self.progress = progress
        self.punctuality = punctuality
        # the draft revisions review approved: each becomes a post of the publisher's
        self.approved: set[tuple[str, int]] = set()
        self.settled: set[str] = set()  # post ids accounted for (recorded or noted)

    def due(self, every: list[dict[str, Any]], slot: datetime) -> list[dict[str, Any]]:
        """The posts not yet accounted for whose slot is ``slot`` or an earlier one."""
        return [
            p
            for p in every
            if p["post_id"] not in self.settled and parse_instant(p["slot_at"]) <= slot
        ]

    def unscheduled(self, every: list[dict[str, Any]]) -> list[str]:
        """Approved draft revisions the publisher holds no post of (yet)."""
        held = {(p["draft_id"], int(p["revision"])) for p in every}
        return [f"{draft} r{revision}" for draft, revision in sorted(self.approved - held)]

    async def settle(self, slot: datetime) -> list[dict[str, Any]]:
        """Every post due by ``slot`` once none of them is still on its way; the published.

        The publisher, not review, says where a post goes (a full slot moves it on), so the
        driver waits until the publisher holds a post of every approved revision (its slot
        is then known) and every post of this slot or an earlier one it has not accounted
        for yet is settled (published, failed, missed or cancelled). A post moved to a
        later slot is accounted for there.
        """

        async def probe() -> list[dict[str, Any]] | None:
            every = await self.api.posts()
            due = self.due(every, slot)
            if self.unscheduled(every) or any(p["state"] not in TERMINAL for p in due):
                return None
            return due

        try:
            due = await poll(probe, f"the posts of {slot.isoformat()}")
        except TimeoutError:
            every = await self.api.posts()
            due = self.due(every, slot)
            waiting = [f"{p['post_id']} ({p['state']})" for p in due if p["state"] not in TERMINAL]
            missing = self.unscheduled(every)
            self.record.notes.append(
                f"slot {slot.isoformat()}: not all posts settled in time"
                + (f"; still on their way: {', '.join(waiting)}" if waiting else "")
                + (f"; approved, no post at the publisher: {', '.join(missing)}" if missing else "")
            )
            due = [p for p in due if p["state"] in TERMINAL]  # the rest: at a later look
        for post in due:
            self.settled.add(post["post_id"])
            if post["state"] != "published":
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']}: {post['state']}"
                )
        posts = [p for p in due if p["state"] == "published"]
        for post in posts:
            self.record_post(post)
        return posts

    def record_post(self, post: dict[str, Any]) -> None:
        """A published post into the run's record and onto the timeline."""
        lateness = self.punctuality.lateness_of(post)
        record = PostRecord(
            post_id=post["post_id"],
            draft_id=post["draft_id"],
            title=post["title"],
            category=post["category"],
            slot_key=post["slot_key"],
            published_at=post["published_at"],
            lateness_seconds=lateness,
            on_time=self.punctuality.on_time(lateness),
        )
        self.record.posts.append(record)
        # stamped with the publish time the publisher recorded, not when the driver
        # looked; lateness and verdict as the publisher measured and judges them
        self.progress.event(
            f"{self.label}已发布《{post['title']}》（{self.punctuality.verdict(lateness)}）",
            style="bold" if record.on_time else "bold yellow",
            at=parse_instant(post["published_at"]),
            seconds=True,
        )
        self.progress.note(f"→ {post.get('url')}")

    async def account_for_the_rest(self) -> None:
        """Posts the run's follow-up left unsettled: a published one is recorded (its
        feedback was not followed), every one is noted."""
        for post in await self.api.posts():
            if post["post_id"] in self.settled:
                continue
            self.settled.add(post["post_id"])
            if post["state"] == "published":
                self.record_post(post)
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']} was published at "
                    f"{post['published_at']}, seen only at the end of the run (no feedback "
                    "window followed)"
                )
            else:
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']}: {post['state']} at "
                    "the end of the run"
                )
        unscheduled = self.unscheduled(await self.api.posts())
        if unscheduled:
            self.record.notes.append(
                f"approved, never scheduled by the publisher: {', '.join(unscheduled)}"
            )
