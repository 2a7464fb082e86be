"""The followers section in the reader's language (issue #14): its tables (shared by the
HTML page, the workbook's followers sheet, the DOCX and the CSV files), its one-line
headline, and each recommendation as a sentence.

A report without follower data (``has_data`` false) has no tables: every renderer says
so in one line (:data:`NO_FOLLOWER_DATA`). Sources are shown as the plan names them
(branch code, campaign, search, article, other): WeChat's other sources (a code not made
by the platform, a shared name card) are counted under *other*.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .explain import account_label
from .followers import FollowerAdvice, FollowersSummary
from .i18n import N_, Translator
from .model import Report
from .tables import Column, Table, Value

__all__ = [
    "FOLLOWER_TABLES",
    "NO_FOLLOWER_DATA",
    "follower_advice_text",
    "follower_tables",
    "followers_headline",
    "followers_title",
    "numeric",
]

FOLLOWER_TABLES = (
    "followers_accounts",
    "followers_branches",
    "followers_sources",
    "followers_posts",
    "followers_advice",
)
"""The followers section's tables (``followers_accounts``: every account together only)."""

FOLLOWERS_TITLE = N_("Followers")
NO_FOLLOWER_DATA = N_(
    "No follower data for this period: the audience service has sent no branch and no "
    "follower change yet."
)
_SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("branch", N_("Branch code"), ("branch",)),
    ("campaign", N_("Campaign"), ("campaign",)),
    ("search", N_("Search"), ("search",)),
    ("article", N_("Article"), ("article",)),
    ("other", N_("Other"), ("qr_other", "card", "other")),
)


def followers_title(tr: Translator) -> str:
    """The section's heading (and the workbook's sheet name)."""
    return tr(FOLLOWERS_TITLE)


def followers_headline(summary: FollowersSummary, tr: Translator) -> str:
    """The section in one line (or that there is nothing to show)."""
    if not summary.has_data:
        return tr(NO_FOLLOWER_DATA)
    return tr(
        "%(subscribed)s new followers, %(unsubscribed)s unsubscribes, net growth %(net)s; "
        "%(rate)s unsubscribes a day on average.",
        subscribed=summary.subscribed,
        unsubscribed=summary.unsubscribed,
        net=f"{summary.net:+d}" if summary.net else "0",
        rate=f"{summary.unsubscribes_per_24h:g}",
    )


def _params(advice: FollowerAdvice) -> dict[str, object]:
    return {k: "–" if v is None else v for k, v in advice.params.items()}


def follower_advice_text(advice: FollowerAdvice, tr: Translator, report: Report) -> str:
    """One recommendation as a sentence; a report of several accounts names the account."""
    p = _params(advice)
    if advice.code == "branch_behind":
        text = tr(
            "%(branch)s (administrator: %(administrator)s) has %(followers)s followers of a "
            "target of %(target)s; %(expected)s were due by now, %(gap)s short. Ask "
            "%(administrator)s to have the branch's staff scan its code and put up its poster.",
            **p,
        )
    elif advice.code == "branch_silent":
        text = tr(
            "%(branch)s (administrator: %(administrator)s) brought no new followers in "
            "%(days)s days (%(followers)s of a target of %(target)s, %(to_target)s to go). "
            "Ask %(administrator)s to remind the staff, put up the branch's poster and share "
            "its code in the staff's group chat.",
            **p,
        )
    elif advice.code == "branch_no_target":
        text = tr(
            "%(branch)s (administrator: %(administrator)s) has no head-count target "
            "(%(followers)s followers): set one so its progress can be measured.",
            **p,
        )
    else:
        text = tr(
            "“%(title)s” was followed by %(count)s unsubscribes within 24 hours, against "
            "%(baseline)s a day in the period: look at what in it may have driven followers "
            "away (topic, length, timing).",
            **{**p, "baseline": f"{float(advice.params.get('baseline') or 0):g}"},
        )
    account = advice.params.get("account")
    if report.account is None and isinstance(account, str):
        return f"【{account_label(report, account, tr)}】{text}"
    return text


def follower_tables(report: Report, tr: Translator) -> list[Table]:
    """The followers section's tables (none without follower data), in reading order."""
    summary = report.followers
    if summary is None or not summary.has_data:
        return []
    combined = report.account is None
    tz = ZoneInfo(report.period.zone)
    zone = tr("China time") if report.period.zone == "Asia/Shanghai" else report.period.zone

    def local(at: datetime) -> datetime:
        return at.astimezone(tz).replace(tzinfo=None)

    def account(name: str) -> tuple[Value, ...]:
        return (account_label(report, name, tr),) if combined else ()

    account_column: tuple[Column, ...] = (Column(tr("Account")),) if combined else ()
    tables: list[Table] = []
    if combined:
        tables.append(_accounts(report, summary, tr))
    tables.append(
        Table(
            "followers_branches",
            tr("By branch"),
            tr("By branch, against its head-count target"),
            (
                *account_column,
                Column(tr("Branch")),
                Column(tr("Code")),
                Column(tr("Administrator")),
                Column(tr("Target"), "int"),
                Column(tr("New followers"), "int"),
                Column(tr("Unsubscribes"), "int"),
                Column(tr("Net growth"), "int"),
                Column(tr("Followers at the end"), "int"),
                Column(tr("Progress"), "pct"),
                Column(tr("Due by now"), "int"),
                Column(tr("Short by"), "int"),
            ),
            [
                (
                    *account(b.account),
                    b.name or b.code,
                    b.code,
                    b.administrator,
                    b.target,
                    b.subscribed,
                    b.unsubscribed,
                    b.net,
                    b.followers_at_end,
                    b.share_of_target,
                    b.expected,
                    b.behind,
                )
                for b in summary.branches
            ],
        )
    )
    by_source = {s.source.value: s for s in summary.sources}
    source_rows: list[tuple[Value, ...]] = []
    for _key, label, members in _SOURCES:
        rows = [by_source[m] for m in members if m in by_source]
        subscribed = sum(r.subscribed for r in rows)
        unsubscribed = sum(r.unsubscribed for r in rows)
        source_rows.append((tr(label), subscribed, unsubscribed, subscribed - unsubscribed))
    source_rows.append((tr("Total"), summary.subscribed, summary.unsubscribed, summary.net))
    tables.append(
        Table(
            "followers_sources",
            tr("By source"),
            tr("Followers by source"),
            (
                Column(tr("Source")),
                Column(tr("New followers"), "int"),
                Column(tr("Unsubscribes"), "int"),
                Column(tr("Net growth"), "int"),
            ),
            source_rows,
        )
    )
    tables.append(
        Table(
            "followers_posts",
            tr("After each post"),
            tr(
                "Unsubscribes within 24 hours of each post (the period: %(rate)s a day)",
                rate=f"{summary.unsubscribes_per_24h:g}",
            ),
            (
                *account_column,
                Column(tr("Time (%(zone)s)", zone=zone), "datetime"),
                Column(tr("Title")),
                Column(tr("Unsubscribes within 24 h"), "int"),
                Column(tr("Unusual"), "bool"),
                Column(tr("24 hours over"), "bool"),
            ),
            [
                (
                    *account(p.account),
                    local(p.published_at),
                    p.title or p.post_id,
                    p.unsubscribes_24h,
                    p.unusual,
                    p.window_complete,
                )
                for p in summary.posts
            ],
        )
    )
    tables.append(
        Table(
            "followers_advice",
            tr("Follower advice"),
            tr("Where a branch lags or a post drove followers away"),
            (Column(tr("Recommendation")),),
            [(follower_advice_text(a, tr, report),) for a in summary.recommendations],
        )
    )
    return tables


def _accounts(report: Report, summary: FollowersSummary, tr: Translator) -> Table:
    rows: list[tuple[Value, ...]] = [
        (
            account_label(report, a.account, tr),
            a.subscribed,
            a.unsubscribed,
            a.net,
            a.branch_followers,
            a.branch_target,
            round(a.branch_followers / a.branch_target, 4) if a.branch_target else None,
            a.branches_behind,
        )
        for a in summary.by_account
    ]
    return Table(
        "followers_accounts",
        tr("Followers by account"),
        tr("Followers by account, side by side"),
        (
            Column(tr("Account")),
            Column(tr("New followers"), "int"),
            Column(tr("Unsubscribes"), "int"),
            Column(tr("Net growth"), "int"),
            Column(tr("Branches' followers"), "int"),
            Column(tr("Branches' targets"), "int"),
            Column(tr("Progress"), "pct"),
            Column(tr("Branches behind"), "int"),
        ),
        rows,
    )


def numeric(columns: Sequence[Column]) -> list[bool]:
    """Which columns hold figures (right-aligned on the page)."""
    return [c.kind not in ("text", "datetime", "bool") for c in columns]
