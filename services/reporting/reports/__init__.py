"""Pure report building and rendering for the reporting service.

Read-model rows (``inputs``) → ``build_report`` → ``Report`` (pydantic, JSON via
``model_dump_json``) → ``render_html`` / ``render_xlsx`` / ``render_csv``. Periods, fire
times and job keys of the weekly, monthly and biweekly runs are the shared calendar's
(:mod:`shared.calendar.reports`); import them from there.
``aggregate_feedback`` folds raw feedback events into per-post figures.
"""

from .aggregate import REPLY_SLA, FeedbackEvent, aggregate_feedback
from .build import build_report
from .inputs import (
    CATEGORIES,
    CATEGORY_LABELS,
    Category,
    DigestQuestion,
    DigestRow,
    DigestTheme,
    PostFeedbackAgg,
    PostRow,
)
from .model import (
    CategoryRow,
    MetricChange,
    Metrics,
    MixLine,
    PostLine,
    QuestionLine,
    Recommendations,
    Report,
    ThemeLine,
    TopicIdea,
)
from .render_csv import render_csv
from .render_html import render_html
from .render_xlsx import render_xlsx
from .tables import Column, Table, report_tables

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "REPLY_SLA",
    "Category",
    "CategoryRow",
    "Column",
    "DigestQuestion",
    "DigestRow",
    "DigestTheme",
    "FeedbackEvent",
    "MetricChange",
    "Metrics",
    "MixLine",
    "PostFeedbackAgg",
    "PostLine",
    "PostRow",
    "QuestionLine",
    "Recommendations",
    "Report",
    "Table",
    "ThemeLine",
    "TopicIdea",
    "aggregate_feedback",
    "build_report",
    "render_csv",
    "render_html",
    "render_xlsx",
    "report_tables",
]
