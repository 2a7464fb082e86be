"""The people of the newsroom, acting through the services' APIs.

Editors record pictures (with their origin) as materials, write drafts wishing a slot,
submit them, and revise a rejected one. The reviewer (the operations manager, never the
author: four eyes) works the review queue: findings that block publication are rejected
unless the article carries a justified ``override_reason``; warnings of spam or personal
data are judged unacceptable and rejected too; everything else is approved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from demo.articles import Article
from demo.client import ApiClient
from demo.records import DraftRecord

__all__ = ["Newsroom", "ReviewDecision", "poll"]

T = TypeVar("T")
_JUDGED_WARNINGS = {"spam", "privacy"}


async def poll(probe: Callable[[], Awaitable[T | None]], what: str, *, within: float = 60.0) -> T:
    """Ask ``probe`` until it answers (not None); ``within`` real seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class ReviewDecision:
    """What the reviewer decided, and the slot the review gave the draft."""

    def __init__(self, outcome: str, slot_at: str, findings: list[str], late: bool) -> None:
        self.outcome = outcome  # approved / overridden / rejected
        self.slot_at = slot_at
        self.findings = findings
        self.late = late


class Newsroom:
    """Editors and the reviewer."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def write_draft(self, article: Article, slot: datetime) -> DraftRecord:
        """Record the pictures as materials and create the draft, wishing ``slot``."""
        material_ids = [
            (await self.api.create_material(article.editor, body))["id"]
            for body in article.material_creates()
        ]
        draft = await self.api.create_draft(
            article.editor, article.draft_create(material_ids, slot.isoformat())
        )
        return DraftRecord(
            key=article.key,
            draft_id=draft["id"],
            category=article.category.value,
            title=article.title,
            editor=article.editor,
            late=article.submit == "late",
        )

    async def submit(self, article: Article, record: DraftRecord) -> int:
        """Submit the draft's current revision; returns the revision number."""
        submission = await self.api.submit_draft(article.editor, record.draft_id)
        revision = int(submission["revision"])
        record.revisions_submitted.append(revision)
        return revision

    async def revise(self, article: Article, record: DraftRecord) -> None:
        """Fix a rejected draft as the article's ``revision`` says."""
        assert article.revision is not None
        await self.api.update_draft(
            article.editor, record.draft_id, {"body_html": article.body_html(article.revision.body)}
        )

    async def _pending_review(self, draft_id: str, revision: int) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            for review in await self.api.reviews("pending"):
                if review["draft_id"] == draft_id and review["revision"] == revision:
                    return review
            return None

        return await poll(probe, f"the review of {draft_id} r{revision}")

    async def review(self, article: Article, record: DraftRecord, revision: int) -> ReviewDecision:
        """The reviewer decides on a submitted revision."""
        line = await self._pending_review(record.draft_id, revision)
        review = await self.api.review(line["review_id"])
        findings: list[dict[str, Any]] = review["findings"]
        blocks = [f for f in findings if f["severity"] == "block"]
        judged = [
            f for f in findings if f["severity"] == "warn" and f["category"] in _JUDGED_WARNINGS
        ]
        described = [f"{f['category']}「{f['matched']}」" for f in [*blocks, *judged]]
        if (blocks and not article.override_reason) or judged:
            await self.api.reject(
                review["review_id"],
                "不符合内容规范，请修改后重新提交：" + "；".join(described),
            )
            outcome = "rejected"
        else:
            body: dict[str, Any] = {
                "comments": "内容合规，同意按计划推送。",
                "content_hash": review["content_hash"],
                "revision": review["revision"],
            }
            if blocks:
                body["override_reason"] = article.override_reason
            await self.api.approve(review["review_id"], body)
            outcome = "overridden" if blocks else "approved"
        record.decisions.append(outcome)
        record.slot = review["slot"]
        return ReviewDecision(outcome, review["slot_at"], described, bool(review["late"]))
