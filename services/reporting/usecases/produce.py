"""Use cases that produce reports: a due period (timed job) and an on-demand range (API).

Producing a report reads the read model, folds and builds it (``reports`` package, in a
worker thread: building and drawing the charts is CPU work that must not stall the
consumers), then commits **in one transaction** the report, its rendered files, the
``report.ready`` event (outbox) and — for a timed run — the completion of the claimed
job, fenced: a replica that lost its claim raises ``FencedOut`` and stores nothing.

A due period that ends before the earliest data the read model holds is skipped: its job
completes as ``skipped`` (result ``{"reason": "no data before the period's end"}``),
fenced the same way, with nothing stored and no ``report.ready``.

Accounts (#12): each account's report is built from its own posts (their feedback and
digests follow the posts), its plan of the next pushes on its own calendar, and
``report.ready`` carries the account. With several accounts, **the report of every
account together is stored by the scheduled run**, as a job of its own beside the
accounts' (``all_weekly-2026-W49``), and on request (``POST /reports`` with
``combined``). Stored rather than computed on each read because its figures must be
those of the accounts' reports of the same run (read from the same read model at the
same time), its files are rendered once (charts cost seconds), and its history stays
readable as it was. It is **not announced**: ``report.ready`` is an account's event
(drafting plans that account's pushes with it), and a combined report has no plan of its
own: each account's plan, on its own calendar, is in its own report. Each account's
replies are measured against its own reply limit.

Followers (#14): a report holds the followers section of its period and accounts
(:func:`~services.reporting.usecases.followers.read_followers_summary`, measured at the
report's generation time): the combined report's has each account's beside the others'.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from services.reporting.deps import ReportingDeps
from services.reporting.domain import Doc
from services.reporting.domain.announce import report_ready
from services.reporting.domain.digests import digest_row
from services.reporting.domain.feedback import feedback_events, with_digest_sentiment
from services.reporting.domain.posts import post_row
from services.reporting.domain.report import (
    HTML_TYPE,
    NO_DATA_YET,
    XLSX_TYPE,
    ReportRequest,
    Trigger,
    new_custom_report_id,
    report_document,
    report_id_for_key,
)
from services.reporting.errors import InvalidRange
from services.reporting.ports import ReportingTx
from services.reporting.reports import (
    AccountRef,
    DigestRow,
    FeedbackEvent,
    Note,
    PostFeedbackAgg,
    PostRow,
    Report,
    aggregate_feedback,
    build_report,
    render_html,
    render_xlsx,
)
from services.reporting.reports.followers import FollowersSummary
from services.reporting.usecases.followers import read_followers_summary
from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar import PeriodPair, ReportKind, Run, custom_period
from shared.jobs import Claim
from shared.settings import Principal

__all__ = ["Composed", "compose_report", "produce_timed_report", "request_report"]

_log = structlog.get_logger("reporting")


@dataclass(frozen=True)
class Composed:
    """A built report and the renderings stored with it, in the default language (zh-CN).

    The DOCX (and any English rendering) is made from the stored report when asked for:
    drawing its PNG charts too would double the charts' cost of every timed run.
    """

    report: Report
    html: str
    xlsx: bytes


@dataclass(frozen=True)
class _Inputs:
    posts: list[PostRow]
    feedback: list[FeedbackEvent]
    digest_docs: list[Doc]
    digests: list[DigestRow]
    uncategorised: list[str]
    followers: FollowersSummary | None = None


def _scope(deps: ReportingDeps, account: str | None) -> list[str]:
    """The accounts a report of ``account`` reads (None: every account)."""
    return list(deps.accounts.ids) if account is None else [account]


def _refs(deps: ReportingDeps, account: str | None) -> list[AccountRef]:
    """The accounts a report names: none in a deployment of one account (its documents
    stay as they were), else those it covers."""
    if not deps.accounts.several:
        return []
    return [
        AccountRef(
            id=spec.id,
            name=spec.name,
            name_en=spec.name_en,
            reply_limit_hours=spec.reply_limit_hours,
        )
        for spec in deps.accounts.values()
        if account is None or spec.id == account
    ]


def _aggregate(
    deps: ReportingDeps, inputs: _Inputs, accounts: list[str], generated_at: datetime
) -> list[PostFeedbackAgg]:
    """Each post's feedback figures, its replies measured against its account's limit."""
    account_of = {p.post_id: p.account for p in inputs.posts}
    aggs: list[PostFeedbackAgg] = []
    for account in accounts:
        limit = timedelta(hours=deps.accounts[account].reply_limit_hours)
        events = [e for e in inputs.feedback if account_of.get(e.post_id) == account]
        aggs += aggregate_feedback(events, as_of=generated_at, reply_sla=limit)
    return aggs


async def _read_inputs(
    deps: ReportingDeps, pair: PeriodPair, accounts: list[str], generated_at: datetime
) -> _Inputs:
    start = min(pair.current.start, pair.previous.start)
    end = max(pair.current.end, pair.previous.end)
    docs = await deps.posts.between(start, end, accounts)
    posts, uncategorised = [], []
    for doc in docs:
        row = post_row(doc)
        if row is None:
            if pair.current.contains(doc["at"]):
                uncategorised.append(doc["_id"])
        else:
            posts.append(row)
    live = [p.post_id for p in posts if not p.failed]
    items = await deps.feedback.of_posts(live)
    snapshots = await deps.feedback.metrics_of(live)
    digest_docs = await deps.digests.of_posts(live)
    category = {p.post_id: p.category for p in posts}
    digests = [
        digest for d in digest_docs if (digest := digest_row(d, category.get(d["_id"]))) is not None
    ]
    followers = None
    if deps.followers is not None:
        followers = await read_followers_summary(
            deps.followers,
            deps.posts,
            pair.current.start,
            pair.current.end,
            accounts=accounts,
            as_of=generated_at,
            target_days=deps.follower_target_days,
        )
    return _Inputs(
        posts, feedback_events(items, snapshots), digest_docs, digests, uncategorised, followers
    )


def _build(
    kind: ReportKind,
    pair: PeriodPair,
    key: str | None,
    inputs: _Inputs,
    generated_at: datetime,
    deps: ReportingDeps,
    account: str | None,
) -> Composed:
    scope = _scope(deps, account)
    aggs = with_digest_sentiment(_aggregate(deps, inputs, scope, generated_at), inputs.digest_docs)
    report = build_report(
        kind,
        pair.current,
        pair.previous,
        inputs.posts,
        aggs,
        inputs.digests,
        generated_at,
        key=key,
        calendar=deps.plan_calendar(account) if account is not None else None,
        account=account,
        accounts=_refs(deps, account),
        reply_limits={a: deps.accounts[a].reply_limit_hours for a in scope},
        followers=inputs.followers,
    )
    if inputs.uncategorised:
        note = Note(
            code="uncategorised",
            params={"count": len(inputs.uncategorised), "posts": "、".join(inputs.uncategorised)},
        )
        report = report.model_copy(update={"notes": [*report.notes, note]})
    return Composed(
        report=report, html=render_html(report, font=deps.font), xlsx=render_xlsx(report)
    )


async def compose_report(
    kind: ReportKind,
    pair: PeriodPair,
    *,
    deps: ReportingDeps,
    key: str | None,
    generated_at: datetime,
    account: str | None = DEFAULT_ACCOUNT,
) -> Composed:
    """Read the read model and build and render the report of ``pair`` for ``account``
    (None: every account together)."""
    started = time.perf_counter()
    inputs = await _read_inputs(deps, pair, _scope(deps, account), generated_at)
    composed = await asyncio.to_thread(_build, kind, pair, key, inputs, generated_at, deps, account)
    deps.metrics.build_seconds.labels(kind).observe(time.perf_counter() - started)
    return composed


def _files(composed: Composed) -> dict[str, Doc]:
    html = composed.html.encode("utf-8")
    return {
        "html": {"content_type": HTML_TYPE, "data": html.decode("utf-8"), "size": len(html)},
        "xlsx": {
            "content_type": XLSX_TYPE,
            "data": composed.xlsx,  # stored as BSON binary
            "size": len(composed.xlsx),
        },
    }


async def _store(
    deps: ReportingDeps,
    report_id: str,
    composed: Composed,
    *,
    trigger: Trigger,
    requested_by: str | None,
    also: Callable[[ReportingTx], Awaitable[None]],
) -> Doc:
    files = _files(composed)
    doc = report_document(
        report_id,
        composed.report,
        trigger=trigger,
        requested_by=requested_by,
        sizes={fmt: f["size"] for fmt, f in files.items()},
    )
    report = composed.report
    # An account's report is announced; every account together is not (see above).
    event = report_ready(report_id, report, now=deps.clock.now()) if report.account else None

    async def work(tx: ReportingTx) -> None:
        await also(tx)  # first: a fenced-out job aborts before anything is written
        await tx.reports.insert(doc, files)
        if event is not None:
            tx.emit(event)

    await deps.uow.run(work)
    deps.metrics.produced.labels(report.kind, trigger).inc()
    deps.metrics.last_report.labels(report.kind).set(report.generated_at.timestamp())
    _log.info(
        "report_stored",
        report_id=report_id,
        account=report.account or "*",
        kind=report.kind,
        period=report.period.label,
        posts=report.totals.posts,
        trigger=trigger,
    )
    return doc


async def produce_timed_report(
    claim: Claim, *, deps: ReportingDeps, actor: Principal | None = None
) -> str | None:
    """Build, store and announce the report of a claimed due period (of the account its
    job names; a job from before accounts is the default's; ``combined``: every account
    together, stored, not announced); returns its id, or None when the period ends before
    any data of the account and its job was completed as skipped."""
    run = Run.model_validate(claim.payload)
    account: str | None = (
        None if claim.payload.get("combined") else claim.payload.get("account", DEFAULT_ACCOUNT)
    )
    if account is not None and account not in deps.accounts:
        await _skip(claim, run, deps=deps, reason=f"no account {account!r} any more")
        return None
    if not await deps.stats.holds_data_before(run.period.end, _scope(deps, account)):
        await _skip(claim, run, deps=deps)
        return None
    report_id = report_id_for_key(run.key, account)
    composed = await compose_report(
        run.kind,
        PeriodPair(run.period, run.previous),
        deps=deps,
        key=run.key,
        generated_at=deps.clock.now(),
        account=account,
    )

    async def complete(tx: ReportingTx) -> None:
        await tx.jobs.complete(claim, result={"report_id": report_id})

    await _store(deps, report_id, composed, trigger="schedule", requested_by=None, also=complete)
    return report_id


async def _skip(claim: Claim, run: Run, *, deps: ReportingDeps, reason: str = NO_DATA_YET) -> None:
    """Complete the job of a period before any data: no report, no ``report.ready``."""

    async def work(tx: ReportingTx) -> None:
        await tx.jobs.complete(claim, outcome="skipped", result={"reason": reason})

    await deps.uow.run(work)
    deps.metrics.skipped.labels(run.kind, "no_data").inc()
    _log.info(
        "report_skipped",
        key=claim.key,
        kind=run.kind,
        period=run.period.label,
        period_end=run.period.end.isoformat(),
        reason=reason,
    )


async def request_report(
    request: ReportRequest, *, deps: ReportingDeps, actor: Principal | None = None
) -> Doc:
    """Build, store and announce an on-demand report of a range, audited under ``actor``
    (who must be known, and authorised on the account by the route): of the request's
    account, or of every account together (``account`` None: stored, not announced).

    Raises :class:`InvalidRange` for a range :func:`custom_period` refuses.
    """
    if actor is None:
        raise ValueError("an on-demand report is audited: say who asks for it")
    principal = actor
    try:
        pair = custom_period(request.start, request.end, zone=deps.policy.zone)
    except ValueError as exc:
        raise InvalidRange(str(exc)) from exc
    report_id = new_custom_report_id(request.account)
    composed = await compose_report(
        "custom",
        pair,
        deps=deps,
        key=None,
        generated_at=deps.clock.now(),
        account=request.account,
    )
    details: dict[str, Any] = {
        "account": request.account or "*",
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
        "period_start": pair.current.start,
        "period_end": pair.current.end,
    }

    async def audit(tx: ReportingTx) -> None:
        await tx.audit.record(
            principal, "report.create", report_id, at=deps.clock.now(), details=details
        )

    return await _store(
        deps, report_id, composed, trigger="api", requested_by=principal.subject, also=audit
    )
