"""Render the core-issues document as one self-contained HTML page (Jinja2, autoescaped).

No scripts, no external resources; the style is inline and sized for a phone screen (wide
tables scroll sideways inside their own box). The language is zh-CN unless asked.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .i18n import DEFAULT_LANGUAGE, Language, translations
from .model import CoreIssuesDigest
from .sections import document_sections, document_title, meta_lines

__all__ = ["render_html"]


@cache
def _environment(language: Language) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("services.feedback.digest", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_html(digest: CoreIssuesDigest, language: Language = DEFAULT_LANGUAGE) -> str:
    """The whole document as an HTML page; every piece of text is escaped."""
    _ = translations(language).gettext
    page: str = (
        _environment(language)
        .get_template("core_issues.html")
        .render(
            lang=language,
            title=document_title(digest, _),
            meta=meta_lines(digest, _),
            sections=document_sections(digest, _),
        )
    )
    return page
