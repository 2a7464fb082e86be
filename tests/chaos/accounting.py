"""The accounting after the chaos, from the services' HTTP APIs (and the local channel's
pages and the broker's dead-letter queues): every accepted draft in a final state, every
approved post published exactly once, every accepted feedback event stored once, every
window closed once. A shortfall names what is missing or duplicated.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika

from shared.topology import Topology
from tests.chaos.api import Api, Unanswered
from tests.chaos.workload import SOURCE, Ledger

__all__ = ["Accounting", "account", "dead_letters", "settle"]

FINAL_DRAFT = {"published", "rejected"}


@dataclass
class Accounting:
    """The counts of one accounting and what is wrong, if anything."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def account(api: Api, ledger: Ledger, published_dir: Path) -> Accounting:
    """One look at everything the services say."""
    result = Accounting()
    counts, problems = result.counts, result.problems

    # -- drafts: every accepted draft in a final state, the one its review decided --------
    accepted = ledger.accepted
    drafts = {d["id"]: d for d in await api.every("drafting", "/drafts")}
    counts["drafts_accepted"] = len(accepted)
    counts["drafts_final"] = 0
    for plan in accepted:
        draft = drafts.get(str(plan.draft_id))
        want = "published" if plan.decided == "approved" else "rejected"
        if draft is None:
            problems.append(f"draft {plan.key} ({plan.draft_id}) accepted but not listed")
        elif draft["state"] not in FINAL_DRAFT:
            problems.append(f"draft {plan.key} ({plan.draft_id}) is {draft['state']}, not final")
        elif draft["state"] != want:
            problems.append(f"draft {plan.key} is {draft['state']}, its review said {want}")
        else:
            counts["drafts_final"] += 1

    # -- posts: every approved revision published exactly once ----------------------------
    approved = {(str(p.draft_id), p.revision): p for p in ledger.approved}
    posts = await api.every("publisher", "/posts")
    by_revision = Counter((p["draft_id"], p["revision"]) for p in posts)
    counts["posts_approved"] = len(approved)
    counts["posts_published_once"] = 0
    published_ids: list[str] = []
    for key, plan in approved.items():
        matching = [p for p in posts if (p["draft_id"], p["revision"]) == key]
        if by_revision[key] != 1:
            problems.append(f"draft {plan.key}: {by_revision[key]} posts for its approval")
            continue
        post = matching[0]
        if post["state"] != "published":
            problems.append(f"post {post['post_id']} ({plan.key}) is {post['state']}")
            continue
        detail = await api.json("publisher", f"/posts/{post['post_id']}")
        times = sum(1 for h in detail["history"] if h["action"] == "published")
        pages = list(published_dir.rglob(f"{post['post_id']}.html"))
        if times != 1 or len(pages) != 1:
            problems.append(
                f"post {post['post_id']}: published {times} times in its history, "
                f"{len(pages)} pages on the channel"
            )
            continue
        counts["posts_published_once"] += 1
        published_ids.append(post["post_id"])
    extra = [p["post_id"] for p in posts if (p["draft_id"], p["revision"]) not in approved]
    if extra:
        problems.append(f"posts nobody approved in this run: {extra}")

    # -- feedback: every accepted event stored once ---------------------------------------
    stored = await api.every("feedback", "/feedback", source=SOURCE)
    per_item = Counter(item["source_id"] for item in stored)
    counts["feedback_accepted"] = len(ledger.feedback)
    counts["feedback_duplicates_sent"] = ledger.duplicates_sent
    counts["feedback_stored"] = len(stored)
    missing = sorted(set(ledger.feedback) - set(per_item))
    doubled = sorted(s for s, n in per_item.items() if n > 1)
    unknown = sorted(set(per_item) - set(ledger.feedback))
    if missing:
        problems.append(f"feedback accepted but not stored ({len(missing)}): {missing[:10]}")
    if doubled:
        problems.append(f"feedback stored more than once ({len(doubled)}): {doubled[:10]}")
    if unknown:
        problems.append(
            f"feedback stored that was never confirmed ({len(unknown)}): {unknown[:10]}"
        )

    # -- windows: one per published post, closed once with its document --------------------
    windows = await api.every("feedback", "/windows")
    per_post = Counter(w["post_id"] for w in windows)
    counts["windows_closed_once"] = 0
    for post_id in published_ids:
        found = [w for w in windows if w["post_id"] == post_id]
        if per_post[post_id] != 1:
            problems.append(f"post {post_id}: {per_post[post_id]} feedback windows")
        elif found[0]["state"] != "closed" or not found[0]["digest_id"]:
            problems.append(
                f"window of {post_id} is {found[0]['state']} (digest {found[0]['digest_id']})"
            )
        else:
            counts["windows_closed_once"] += 1
    return result


async def settle(
    api: Api, ledger: Ledger, published_dir: Path, *, within: float
) -> tuple[Accounting, float]:
    """Account until everything holds or ``within`` seconds pass; the last accounting and
    the seconds it took to hold."""
    started = time.monotonic()
    deadline = started + within
    while True:
        try:
            result = await account(api, ledger, published_dir)
        except Unanswered as exc:
            result = Accounting(problems=[f"a service did not answer: {exc}"])
        if result.ok or time.monotonic() > deadline:
            return result, time.monotonic() - started
        await asyncio.sleep(1.0)


async def dead_letters(rabbit_url: str, namespace: str) -> dict[str, int]:
    """Messages in any dead-letter queue of the run's namespace (non-empty ones only)."""
    topology = Topology(namespace=namespace)
    found: dict[str, int] = {}
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        for name in topology.queue_names():
            if not name.endswith(".dlq"):
                continue
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(name, passive=True)
            except Exception:  # never declared: nothing dead-lettered there
                continue
            if queue.declaration_result.message_count:
                found[name] = queue.declaration_result.message_count
            await channel.close()
    return found
