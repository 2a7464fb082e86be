"""Pure report building and rendering for the reporting service.

Read-model rows (``inputs``) → ``build_report`` → ``Report`` (pydantic, JSON via
``model_dump_json``) → ``render_html`` / ``render_xlsx`` / ``render_docx`` /
``render_csv``, in the reader's language (``i18n``: zh-CN by default, English on
request). The report ends with the plan of the next pushes (``plan``). Charts are drawn
in a CJK font found by path (``charts.require_cjk_font``). Periods, fire times and job
keys of the weekly, monthly and biweekly runs are the shared calendar's
(:mod:`shared.calendar.reports`); import them from there. ``aggregate_feedback`` folds
raw feedback events into per-post figures.
"""

from .aggregate import REPLY_SLA, FeedbackEvent, aggregate_feedback
from .build import build_report
from .charts import DEFAULT_CJK_FONT, ChartFont, ChartFontError, MissingGlyph, require_cjk_font
from .explain import evidence_text, idea_topic, note_text, why_text
from .i18n import DEFAULT_LANG, LANGS, Lang, Translator, translator
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
    AccountRef,
    AccountRow,
    CategoryRow,
    Coverage,
    Evidence,
    FormAdvice,
    MetricChange,
    Metrics,
    Note,
    PlanSlot,
    PostLine,
    QuestionLine,
    Recommendations,
    Report,
    ThemeLine,
    TopicIdea,
)
from .plan import PLAN_SLOTS
from .render_csv import render_csv
from .render_docx import render_docx
from .render_html import render_html
from .render_xlsx import render_xlsx
from .tables import TABLE_NAMES, Column, Table, report_tables

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEFAULT_CJK_FONT",
    "DEFAULT_LANG",
    "LANGS",
    "PLAN_SLOTS",
    "REPLY_SLA",
    "TABLE_NAMES",
    "AccountRef",
    "AccountRow",
    "Category",
    "CategoryRow",
    "ChartFont",
    "ChartFontError",
    "Column",
    "Coverage",
    "DigestQuestion",
    "DigestRow",
    "DigestTheme",
    "Evidence",
    "FeedbackEvent",
    "FormAdvice",
    "Lang",
    "MetricChange",
    "Metrics",
    "MissingGlyph",
    "Note",
    "PlanSlot",
    "PostFeedbackAgg",
    "PostLine",
    "PostRow",
    "QuestionLine",
    "Recommendations",
    "Report",
    "Table",
    "ThemeLine",
    "TopicIdea",
    "Translator",
    "aggregate_feedback",
    "build_report",
    "evidence_text",
    "idea_topic",
    "note_text",
    "render_csv",
    "render_docx",
    "render_html",
    "render_xlsx",
    "report_tables",
    "require_cjk_font",
    "translator",
    "why_text",
]
