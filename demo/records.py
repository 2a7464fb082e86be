"""What a demo run did, kept for the summary and written as ``manifest.json``.

The e2e test reads the manifest to compare what the audience sent with what the
documents and the report say.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DraftRecord", "PostRecord", "RunRecord"]


@dataclass
class DraftRecord:
    """One article's way through drafting and review."""

    key: str
    draft_id: str
    category: str
    title: str
    editor: str
    late: bool
    revisions_submitted: list[int] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)  # approved / overridden / rejected
    slot: str | None = None  # the slot review gave it (after the late policy)


@dataclass
class PostRecord:
    """A published post, the feedback sent about it and its documents."""

    post_id: str
    draft_id: str
    title: str
    category: str
    slot_key: str
    published_at: str
    lateness_seconds: float  # as the publisher measured it (simulated seconds)
    on_time: bool = False  # within the publisher's tolerance (demo.punctuality)
    comments: int = 0  # unique comments sent (spam included)
    messages: int = 0  # unique private messages sent
    metrics: int = 0
    events: int = 0  # feedback.received events published, duplicates included
    duplicates: int = 0
    replies: int = 0  # replies through the feedback API
    replies_late: int = 0  # of those, sent more than 12 hours after the ask (driver's clock)
    sent_after_window: int = 0  # items sent once the window had ended (should be 0)
    window_state: str = ""
    documents: dict[str, str] = field(default_factory=dict)  # format -> file


@dataclass
class RunRecord:
    """The whole run."""

    namespace: str
    run_dir: str
    sim_start: str
    days: int
    speed: float
    seed: int
    drafts: list[DraftRecord] = field(default_factory=list)
    posts: list[PostRecord] = field(default_factory=list)
    reports: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> fmt -> file
    # reports listed for periods that end before the run's first day: none since the
    # reporting service skips periods before its first data (#16)
    reports_before_run: list[str] = field(default_factory=list)
    biweekly_report_id: str | None = None
    biweekly_fallback: bool = False
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    account: str = "default"
    # the second official account's own run (#12), on its own calendar
    talent: RunRecord | None = None
    # the branches' promotion (#14): what was pushed, and the followers summary
    promotion: dict[str, Any] = field(default_factory=dict)

    def post(self, post_id: str) -> PostRecord | None:
        return next((p for p in self.posts if p.post_id == post_id), None)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(asdict(self), ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
