"""The core-issues document (《推送反馈核心问题汇总》) for 刘总监: a pure builder and three
renderers (Markdown, HTML, Word)."""

from .build import build_digest
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, Language
from .model import (
    CATEGORY_LABELS,
    REPLY_LIMIT,
    CategoryComparison,
    CategoryHistoryRow,
    CategoryKey,
    ComparisonRow,
    ComplaintEntry,
    CoreIssuesDigest,
    EnquiryInfo,
    HeadlineNumbers,
    KeywordEntry,
    PostInfo,
    QuestionEntry,
    SentimentSplit,
    ThemeSummary,
)
from .render_docx import render_docx
from .render_html import render_html
from .render_md import render_markdown

__all__ = [
    "CATEGORY_LABELS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "REPLY_LIMIT",
    "CategoryComparison",
    "CategoryHistoryRow",
    "CategoryKey",
    "ComparisonRow",
    "ComplaintEntry",
    "CoreIssuesDigest",
    "EnquiryInfo",
    "HeadlineNumbers",
    "KeywordEntry",
    "PostInfo",
    "QuestionEntry",
    "SentimentSplit",
    "ThemeSummary",
    "build_digest",
    "render_docx",
    "render_html",
    "render_markdown",
]
