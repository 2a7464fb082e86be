"""The simulated audience: what readers say about a post during its 24-hour window.

What they say fits the post (#17): each sample article has its own questions (with the
answers staff give), praise, complaints and private messages in ``demo/data/audience.json``
(``posts``, by title), so the themes the core-issues document shows make sense to a
reader; a post the bank does not know gets its category's questions and general remarks.

Deterministic: the same seed, post ordinal, category and title give the same plan. A plan is a
list of :class:`PlannedItem` at offsets after publication: praise, complaints, questions
and spam as comments, enquiries as private messages, two metric snapshots (reads, likes,
shares), and some items sent twice (a redelivery with the same event id, and a re-send
by the source system with a new one) — the feedback service must store each once.

Each comment or message also carries when staff would answer it: within the 12-hour rule,
except for at most one ask per post, by a fixed rota (odd posts: one answered after 12
hours; every fourth post: one never answered). A quota, not a coin toss per item, so that
"most enquiries are answered in time" holds for every run and not only on lucky dates.
The scenario answers only what the feedback service recorded as an open enquiry then.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "AUDIENCE_FILE",
    "REPLY_LIMIT",
    "Bank",
    "PlannedItem",
    "PostBank",
    "load_bank",
    "plan_feedback",
    "slow_reply",
]

AUDIENCE_FILE = Path(__file__).resolve().parent / "data" / "audience.json"
REPLY_LIMIT = timedelta(hours=12)  # the plan's rule: every enquiry answered within 12 hours
LAST_OFFSET = timedelta(hours=20)  # nothing is said after this, so replies fit the window
Mood = Literal["praise", "complaint", "question", "spam", "enquiry", "metric"]


@dataclass(frozen=True)
class QA:
    """A question and the answer staff give."""

    q: str
    a: str


@dataclass(frozen=True)
class Bank:
    """What readers may say, by mood and category (``demo/data/audience.json``)."""

    praise: tuple[str, ...]
    complaints: tuple[str, ...]
    spam: tuple[str, ...]
    questions: dict[str, tuple[QA, ...]]
    messages: dict[str, tuple[QA, ...]]
    generic_reply: str
    posts: dict[str, PostBank] = field(default_factory=dict)


@dataclass(frozen=True)
class PostBank:
    """What readers of one article say: questions, praise, complaints, private messages."""

    questions: tuple[QA, ...]
    praise: tuple[str, ...]
    complaints: tuple[str, ...]
    messages: tuple[QA, ...]


@cache
def load_bank(path: Path = AUDIENCE_FILE) -> Bank:
    """The shipped audience bank."""
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def qas(group: dict[str, list[dict[str, str]]]) -> dict[str, tuple[QA, ...]]:
        return {cat: tuple(QA(q=i["q"], a=i["a"]) for i in items) for cat, items in group.items()}

    def post(entry: dict[str, Any]) -> PostBank:
        return PostBank(
            questions=tuple(QA(q=i["q"], a=i["a"]) for i in entry["questions"]),
            praise=tuple(entry["praise"]),
            complaints=tuple(entry["complaints"]),
            messages=tuple(QA(q=i["q"], a=i["a"]) for i in entry["messages"]),
        )

    return Bank(
        praise=tuple(raw["praise"]),
        complaints=tuple(raw["complaints"]),
        spam=tuple(raw["spam"]),
        questions=qas(raw["questions"]),
        messages=qas(raw["messages"]),
        generic_reply=raw["generic_reply"],
        posts={title: post(entry) for title, entry in raw.get("posts", {}).items()},
    )


@dataclass(frozen=True)
class PlannedItem:
    """One thing the audience says (or a metric snapshot), and when staff answer it."""

    offset: timedelta
    kind: Literal["comment", "message", "metric"]
    mood: Mood
    source: str
    source_id: str
    author: str
    text: str = ""
    answer: str | None = None
    reply_after: timedelta | None = None
    resend: Literal["none", "same_event", "new_event"] = "none"
    metrics: dict[str, int] | None = None

    @property
    def key(self) -> str:
        """``source:source_id``: the enquiry id in the feedback service."""
        return f"{self.source}:{self.source_id}"


def _quick_reply(rng: random.Random, offset: timedelta) -> timedelta:
    """Within the 12-hour rule and the window."""
    return timedelta(hours=rng.uniform(0.5, min(8.0, 23.0 - offset.total_seconds() / 3600)))


def slow_reply(ordinal: int) -> Literal["late", "never"] | None:
    """The rota of the one ask per post not answered in time: late on odd posts, never
    on every fourth; four posts in a row hold at most three such asks."""
    if ordinal % 2 == 1:
        return "late"
    return "never" if ordinal % 4 == 2 else None


def plan_feedback(
    post_id: str,
    category: str,
    *,
    ordinal: int,
    seed: int,
    title: str | None = None,
    bank: Bank | None = None,
) -> list[PlannedItem]:
    """The audience's feedback on one post, ordered by offset; ``title`` picks the post's
    own questions and remarks when the bank knows it."""
    bank = bank or load_bank()
    rng = random.Random(f"{seed}:{ordinal}:{category}")
    own = bank.posts.get(title or "")
    praise = own.praise if own else bank.praise
    complaints = own.complaints if own else bank.complaints
    questions = own.questions if own else bank.questions[category]
    messages = own.messages if own else bank.messages[category]
    items: list[PlannedItem] = []

    def offset(latest: timedelta = LAST_OFFSET) -> timedelta:
        return timedelta(minutes=rng.randint(20, int(latest.total_seconds() // 60)))

    def timing() -> tuple[timedelta, timedelta]:
        at = offset()
        return at, _quick_reply(rng, at)

    def reader() -> str:
        return f"reader-{rng.randint(1000, 9999)}"

    def comment(mood: Mood, text: str, answer: str | None) -> None:
        at, reply_after = timing()
        items.append(
            PlannedItem(
                offset=at,
                kind="comment",
                mood=mood,
                source="wechat_comment",
                source_id=f"{post_id}-c{len(items) + 1}",
                author=reader(),
                text=text,
                answer=answer or bank.generic_reply,
                reply_after=reply_after if mood != "spam" else None,
            )
        )

    for text in rng.sample(praise, min(len(praise), rng.randint(2, 3))):
        comment("praise", text, None)
    for text in rng.sample(complaints, min(len(complaints), rng.randint(1, 2))):
        comment("complaint", text, None)
    for qa in rng.sample(questions, min(len(questions), rng.randint(1, 3))):
        comment("question", qa.q, qa.a)
    comment("spam", rng.choice(bank.spam), None)
    for qa in rng.sample(messages, min(len(messages), rng.randint(1, 2))):
        at, reply_after = timing()
        items.append(
            PlannedItem(
                offset=at,
                kind="message",
                mood="enquiry",
                source="crm",
                source_id=f"{post_id}-m{len(items) + 1}",
                author=reader(),
                text=qa.q,
                answer=qa.a,
                reply_after=reply_after,
            )
        )
    asks = [i for i, item in enumerate(items) if item.mood in ("question", "enquiry")]
    slow = slow_reply(ordinal)
    if slow == "late":  # a private message (always an enquiry), asked early enough that a
        # 13-15 hour answer still fits the window
        n = rng.choice([i for i in asks if items[i].kind == "message"])
        items[n] = replace(
            items[n],
            offset=offset(timedelta(hours=8)),
            reply_after=timedelta(hours=rng.uniform(13.0, 15.0)),
        )
    elif slow == "never":
        n = rng.choice(asks)
        items[n] = replace(items[n], reply_after=None)
    # duplicates: one redelivery of the same event, one re-send under a new event id
    plain = [i for i, item in enumerate(items) if item.mood != "spam"]
    first, second = rng.sample(plain, 2)
    items[first] = replace(items[first], resend="same_event")
    items[second] = replace(items[second], resend="new_event")
    reads = rng.randint(300, 2500)
    for n, hours in enumerate((3.0, 19.5), 1):
        share = 0.45 if n == 1 else 1.0
        items.append(
            PlannedItem(
                offset=timedelta(hours=hours),
                kind="metric",
                mood="metric",
                source="wechat_datacube",
                source_id=f"{post_id}-metric{n}",
                author="wechat",
                metrics={
                    "reads": int(reads * share),
                    "likes": int(reads * share * 0.04),
                    "shares": int(reads * share * 0.02),
                },
            )
        )
    return sorted(items, key=lambda i: i.offset)
