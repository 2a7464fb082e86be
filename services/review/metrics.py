"""Domain metrics of the review service (in the runtime's registry, scraped at ``/metrics``)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["ReviewMetrics"]


@dataclass(frozen=True)
class ReviewMetrics:
    """Reviews started, decided, overridden, late and overdue; the queue's size.

    The metrics from before accounts keep their labels (deploy/ rules and dashboards use
    them) and count every account; ``account_pending`` and ``account_overdue_pending``
    (#12) are the queue's size per official account.
    """

    submissions: Counter
    decisions: Counter
    findings: Counter
    blocking_reviews: Counter
    overrides: Counter
    four_eyes_refused: Counter
    late: Counter
    overdue: Counter
    pending: Gauge
    overdue_pending: Gauge
    overdue_slots: Gauge
    lexicon_changes: Counter
    account_pending: Gauge
    account_overdue_pending: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ReviewMetrics:
        return cls(
            submissions=Counter(
                "review_submissions_total",
                "draft.submitted handled, by outcome (queued, superseded_on_arrival, "
                "same_revision, rejected_late).",
                ["outcome"],
                registry=registry,
            ),
            decisions=Counter(
                "review_decisions_total",
                "Reviews decided, by decision (approved, rejected) and how (manual, policy).",
                ["decision", "how"],
                registry=registry,
            ),
            findings=Counter(
                "review_findings_total",
                "Content-norm findings in submitted drafts, by category and severity.",
                ["category", "severity"],
                registry=registry,
            ),
            blocking_reviews=Counter(
                "review_blocking_reviews_total",
                "Submitted drafts with at least one blocking finding.",
                registry=registry,
            ),
            overrides=Counter(
                "review_overrides_total",
                "Approvals that overrode blocking findings with a written reason.",
                registry=registry,
            ),
            four_eyes_refused=Counter(
                "review_four_eyes_refused_total",
                "Approvals refused because the reviewer wrote or submitted the draft.",
                registry=registry,
            ),
            late=Counter(
                "review_late_submissions_total",
                "Drafts that reached review after their slot's deadline, by what was done.",
                ["action"],
                registry=registry,
            ),
            overdue=Counter(
                "review_overdue_reported_total",
                "Reviews still pending at their slot's cut-off (reported once each).",
                registry=registry,
            ),
            pending=Gauge(
                "review_pending",
                "Reviews waiting for a decision.",
                registry=registry,
            ),
            overdue_pending=Gauge(
                "review_overdue_pending",
                "Pending reviews past their slot's cut-off.",
                registry=registry,
            ),
            overdue_slots=Gauge(
                "review_overdue_slots",
                "Slots with at least one review pending past the cut-off.",
                registry=registry,
            ),
            lexicon_changes=Counter(
                "review_lexicon_changes_total",
                "Run-time lexicon changes, by action (add, remove).",
                ["action"],
                registry=registry,
            ),
            account_pending=Gauge(
                "review_account_pending",
                "Reviews waiting for a decision, per official account.",
                ["account"],
                registry=registry,
            ),
            account_overdue_pending=Gauge(
                "review_account_overdue_pending",
                "Pending reviews past their slot's cut-off, per official account.",
                ["account"],
                registry=registry,
            ),
        )
