"""Render the core-issues document as a Word file (python-docx)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from .model import CoreIssuesDigest
from .sections import Table, document_sections, document_title, meta_lines

__all__ = ["render_docx"]

_FONT = "Microsoft YaHei"


def _set_east_asian_font(style: Any) -> None:
    from docx.oxml.ns import qn

    style.font.name = _FONT
    r_pr = style.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), _FONT)


def _table(document: Any, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text


def render_docx(digest: CoreIssuesDigest) -> bytes:
    """The whole document as .docx bytes: headings, number and theme tables, bullet quotes."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        _set_east_asian_font(document.styles[name])
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(document_title(digest), level=0)
    for key, value in meta_lines(digest):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{key}：").bold = True
        paragraph.add_run(value)
    for section in document_sections(digest):
        document.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        if section.table is not None and section.table.rows:
            _table(document, section.table)
        for bullet in section.bullets:
            document.add_paragraph(bullet, style="List Bullet")
        for caption, quotes in section.quotes:
            document.add_heading(caption, level=2)
            for quote in quotes:
                document.add_paragraph(f"“{quote}”", style="List Bullet")
        if section.note:
            document.add_paragraph(section.note).runs[0].italic = True
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
