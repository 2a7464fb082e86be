"""Timed reports: due periods become keyed jobs; one replica claims and runs each.

Every replica runs the same three loops (wired in :mod:`~services.reporting.bootstrap`):

* **schedule** — for each kind, ``due_runs(kind, policy, since, now)`` gives the periods
  whose fire time passed since the kind's watermark; each becomes one job per account
  keyed by the period (``report:weekly:2026-W49`` for the default account,
  ``report:weekly:2026-W49@talent`` for another) and, with several accounts, one for
  every account together (``…@*``), with ``TimedJobs.schedule`` — an upsert, so any
  number of replicas scheduling the same period create one job each — then the
  watermark moves to ``now`` (``$max``). A crash in between only schedules again, harmlessly.
  A new installation starts its watermark when it first runs; after downtime at most
  ``catch_up_limit`` missed periods per kind are caught up (the latest ones).
* **run** — a :class:`~shared.jobs.JobLoop` claims due jobs (conditional update + lease +
  fence) and produces each report
  (:func:`~services.reporting.usecases.produce.produce_timed_report`), which
  completes the job in the transaction that stores the report and its ``report.ready``.
  A done job is never claimed again, so each period fires exactly once.
* **gauges** — refreshes read-model sizes and the last report time per kind from the
  database, so every replica exports the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from services.reporting.deps import JOB_KIND, ReportingDeps
from services.reporting.domain.report import TIMED_KINDS, job_key
from shared.calendar import Run, due_runs
from shared.settings import Principal

__all__ = ["ScheduledJob", "refresh_gauges", "schedule_due_reports"]

_log = structlog.get_logger("reporting")


@dataclass(frozen=True)
class ScheduledJob:
    """A report job created: its key, the period's run, and its account (None: every
    account together)."""

    key: str
    run: Run
    account: str | None

    @property
    def kind(self) -> str:
        return self.run.kind


async def schedule_due_reports(
    *, deps: ReportingDeps, actor: Principal | None = None
) -> list[ScheduledJob]:
    """Create the jobs of every period due since the last look, one per account (and one
    for every account together when there are several); returns the new ones as
    jobs."""
    now = deps.clock.now()
    scopes: list[str | None] = [*deps.accounts.ids]
    if deps.accounts.several:
        scopes.append(None)
    created: list[ScheduledJob] = []
    for kind in TIMED_KINDS:
        since = await deps.schedule.watermark(kind, default=now)
        for run in due_runs(kind, deps.policy, since, now):
            for account in scopes:
                key = job_key(run.key, account)
                payload = {
                    **run.model_dump(mode="json"),
                    "account": account,
                    "combined": account is None,
                }
                new = await deps.jobs.schedule(
                    key, kind=JOB_KIND, due_at=run.fire_at, payload=payload
                )
                if new:
                    created.append(ScheduledJob(key, run, account))
                    deps.metrics.scheduled.labels(kind).inc()
                    _log.info("report_scheduled", key=key, fire_at=run.fire_at.isoformat())
        await deps.schedule.advance(kind, now)
    deps.metrics.scheduler_tick.set(now.timestamp())
    return created


async def refresh_gauges(*, deps: ReportingDeps, actor: Principal | None = None) -> None:
    """Read-model sizes and the newest report of each kind, from the database."""
    for name, count in (await deps.stats.sizes()).items():
        deps.metrics.read_model.labels(name).set(count)
    latest = await deps.reports.latest_generated([*TIMED_KINDS, "custom"])
    for kind, at in latest.items():
        deps.metrics.last_report.labels(kind).set(at.timestamp())
