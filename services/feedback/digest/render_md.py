"""Render the core-issues document as Markdown."""

from __future__ import annotations

from .i18n import DEFAULT_LANGUAGE, Language, translations
from .model import CoreIssuesDigest
from .sections import Table, document_sections, document_title, meta_lines

__all__ = ["render_markdown"]


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip() or " "


def _table(table: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(h) for h in table.header) + " |",
        "|" + "|".join("---" for _ in table.header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return lines


def render_markdown(digest: CoreIssuesDigest, language: Language = DEFAULT_LANGUAGE) -> str:
    """The whole document as Markdown (GitHub-style tables), zh-CN unless asked."""
    _ = translations(language).gettext
    colon = "：" if language == "zh-CN" else ": "
    out = [f"# {document_title(digest, _)}", ""]
    out += [f"- **{key}**{colon}{_cell(value)}" for key, value in meta_lines(digest, _)]
    for section in document_sections(digest, _):
        out += ["", f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            out += [_cell(paragraph), ""]
        if section.table is not None and section.table.rows:
            out += [*_table(section.table), ""]
        out += [f"- {_cell(b)}" for b in section.bullets]
        for caption, quotes in section.quotes:
            out += ["", f"**{_cell(caption)}**", ""]
            out += [f"> {_cell(q)}" for q in quotes]
        if section.note:
            out += ["", f"*{_cell(section.note)}*"]
    return "\n".join(out).rstrip() + "\n"
