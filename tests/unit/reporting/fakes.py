"""In-memory repositories of the reporting service (the Protocols of its ``ports``).

They keep what the MongoDB ones guarantee and the use cases rely on: unique ``_id``s
(a duplicate feedback item is refused, a report id is stored once), the newer metric
snapshot wins, a job completes only under its current fence. ``reporting(at)`` wires
them into a :class:`ReportingDeps` whose unit of work is a ``FakeUnitOfWork``; the
repositories outside the transaction are the same stores, as one database would be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry

from services.reporting.deps import ReportingDeps
from services.reporting.domain import Doc
from services.reporting.metrics import ReportingMetrics
from services.reporting.reports import require_cjk_font
from shared.accounts import DEFAULT_ACCOUNT, Accounts
from shared.calendar import SchedulePolicy
from shared.clock import FixedClock
from shared.metrics import new_registry
from tests.fakes.audit import FakeAudit
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork

__all__ = [
    "FakeDigests",
    "FakeFeedback",
    "FakePosts",
    "FakeReportingTx",
    "FakeReports",
    "FakeSchedule",
    "Reporting",
    "another_replica",
    "reporting",
]


class FakePosts(FakeStore):
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    async def get(self, post_id: str) -> Doc | None:
        return self.docs.get(post_id)

    async def save(self, doc: Doc) -> None:
        self.docs[doc["_id"]] = dict(doc)

    async def account_of(self, post_id: str) -> str | None:
        doc = self.docs.get(post_id)
        return None if doc is None else doc.get("account", DEFAULT_ACCOUNT)

    async def between(self, start: datetime, end: datetime, accounts: Sequence[str]) -> list[Doc]:
        inside = [
            d
            for d in self.docs.values()
            if start <= d["at"] < end and d.get("account", DEFAULT_ACCOUNT) in accounts
        ]
        return sorted(inside, key=lambda d: d["at"])


class FakeDigests(FakeStore):
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    async def get(self, post_id: str) -> Doc | None:
        return self.docs.get(post_id)

    async def save(self, doc: Doc) -> None:
        self.docs[doc["_id"]] = dict(doc)

    async def of_posts(self, post_ids: Sequence[str]) -> list[Doc]:
        return [self.docs[p] for p in post_ids if p in self.docs]


class FakeFeedback(FakeStore):
    """Items under their unique natural key; ``writes`` counts every write tried."""

    def __init__(self) -> None:
        self.items: dict[str, Doc] = {}
        self.snapshots: dict[str, Doc] = {}
        self.writes = 0

    async def insert(self, doc: Doc) -> bool:
        self.writes += 1
        if doc["_id"] in self.items:
            return False
        self.items[doc["_id"]] = dict(doc)
        return True

    async def save_metric(self, doc: Doc) -> bool:
        self.writes += 1
        old = self.snapshots.get(doc["_id"])
        if old is not None and old["at"] >= doc["at"]:
            return False
        self.snapshots[doc["_id"]] = dict(doc)
        return True

    async def post_of(self, ref: str) -> str | None:
        item = self.items.get(ref)
        return None if item is None else item.get("post_id")

    async def of_posts(self, post_ids: Sequence[str]) -> list[Doc]:
        items = [d for d in self.items.values() if d.get("post_id") in post_ids]
        refs = {d["_id"] for d in items if d["kind"] != "reply"}
        orphans = [
            d
            for d in self.items.values()
            if d.get("post_id") is None and d["kind"] == "reply" and d.get("in_reply_to") in refs
        ]
        return items + orphans

    async def metrics_of(self, post_ids: Sequence[str]) -> list[Doc]:
        return [self.snapshots[p] for p in post_ids if p in self.snapshots]


class FakeReports(FakeStore):
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.files: dict[str, Doc] = {}

    async def insert(self, doc: Doc, files: Mapping[str, Doc]) -> None:
        if doc["_id"] in self.docs:
            raise KeyError(f"duplicate report {doc['_id']!r}")
        self.docs[doc["_id"]] = dict(doc)
        for fmt, f in files.items():
            self.files[f"{doc['_id']}:{fmt}"] = {"report_id": doc["_id"], "format": fmt, **f}

    async def get(self, report_id: str) -> Doc | None:
        return self.docs.get(report_id)

    async def get_file(self, report_id: str, fmt: str) -> Doc | None:
        return self.files.get(f"{report_id}:{fmt}")

    async def page(
        self,
        *,
        kind: str | None,
        accounts: Sequence[str],
        combined: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[Doc], int]:
        docs = [
            d
            for d in self.docs.values()
            if (kind is None or d["kind"] == kind)
            and ((combined and d["combined"]) or d["account"] in accounts)
        ]
        docs.sort(key=lambda d: d["_id"])
        docs.sort(key=lambda d: d["generated_at"], reverse=True)
        return docs[offset : offset + limit], len(docs)

    async def latest_generated(self, kinds: Sequence[str]) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for d in self.docs.values():
            if d["kind"] in kinds and (d["kind"] not in out or d["generated_at"] > out[d["kind"]]):
                out[d["kind"]] = d["generated_at"]
        return out


class FakeSchedule(FakeStore):
    def __init__(self) -> None:
        self.since: dict[str, datetime] = {}

    async def watermark(self, kind: str, *, default: datetime) -> datetime:
        return self.since.setdefault(kind, default)

    async def advance(self, kind: str, until: datetime) -> None:
        self.since[kind] = max(self.since[kind], until)


class FakeReportingTx(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.posts = FakePosts()
        self.digests = FakeDigests()
        self.reports = FakeReports()
        self.jobs = FakeJobs()
        self.audit = FakeAudit()


@dataclass
class _Stats:
    tx: FakeReportingTx
    feedback: FakeFeedback

    async def sizes(self) -> dict[str, int]:
        return {
            "posts": len(self.tx.posts.docs),
            "feedback": len(self.feedback.items),
            "post_metrics": len(self.feedback.snapshots),
            "digests": len(self.tx.digests.docs),
            "reports": len(self.tx.reports.docs),
        }

    async def holds_data_before(self, end: datetime, accounts: Sequence[str]) -> bool:
        posts = [
            d
            for d in self.tx.posts.docs.values()
            if d["status"] == "published" or (d.get("failure") or {}).get("code") != "cancelled"
        ]
        found = [*posts, *self.feedback.items.values(), *self.feedback.snapshots.values()]
        return any(d["at"] < end and d.get("account", DEFAULT_ACCOUNT) in accounts for d in found)


@dataclass
class Reporting:
    """Deps on in-memory stores, and the stores themselves to look at."""

    deps: ReportingDeps
    uow: FakeUnitOfWork[FakeReportingTx]
    tx: FakeReportingTx
    feedback: FakeFeedback
    schedule: FakeSchedule
    clock: FixedClock
    registry: CollectorRegistry
    accounts_json: str | None = None


def reporting(at: datetime, *, accounts: str | None = None, **policy: Any) -> Reporting:
    """A replica on fresh in-memory stores, at business time ``at``; ``accounts`` is an
    ``ACCOUNTS`` value (unset: the default account alone)."""
    return _replica(
        FakeReportingTx(), FakeFeedback(), FakeSchedule(), FixedClock(at), policy, accounts
    )


def another_replica(of: Reporting, **policy: Any) -> Reporting:
    """A second replica on the same stores and clock (its own unit of work and metrics)."""
    return _replica(of.tx, of.feedback, of.schedule, of.clock, policy, of.accounts_json)


def _replica(
    view: FakeReportingTx,
    feedback: FakeFeedback,
    schedule: FakeSchedule,
    clock: FixedClock,
    policy: dict[str, Any],
    accounts: str | None,
) -> Reporting:
    uow = FakeUnitOfWork(view)
    registry = new_registry()
    deps = ReportingDeps(
        uow=uow,
        posts=view.posts,
        digests=view.digests,
        feedback=feedback,
        reports=view.reports,
        schedule=schedule,
        stats=_Stats(view, feedback),
        jobs=view.jobs,
        clock=clock,
        policy=SchedulePolicy(**policy),
        metrics=ReportingMetrics.create(registry),
        font=require_cjk_font(),
        accounts=Accounts.parse(accounts),
    )
    return Reporting(deps, uow, view, feedback, schedule, clock, registry, accounts)
