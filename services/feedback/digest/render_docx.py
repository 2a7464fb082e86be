"""Render the core-issues document as a Word file (python-docx), zh-CN unless asked.

A4 pages; every page carries a header (document title and post) and a footer with its
page number out of the total (Word PAGE / NUMPAGES fields, filled in when opened).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from .i18n import DEFAULT_LANGUAGE, Gettext, Language, translations
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


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph; Word computes it when shown."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    shown = OxmlElement("w:t")
    shown.text = "1"
    run = paragraph.add_run()._r
    for element in (char("begin"), code, char("separate"), shown, char("end")):
        run.append(element)


def _header_and_footer(document: Any, digest: CoreIssuesDigest, _: Gettext) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    header = section.header.paragraphs[0]
    header.text = f"{document_title(digest, _)} · {digest.post.title}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _sep, rest = _("Page {page} of {pages}").partition("{page}")
    middle, _sep, after = rest.partition("{pages}")
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(middle)
    _field(footer, "NUMPAGES")
    footer.add_run(after)


def render_docx(digest: CoreIssuesDigest, language: Language = DEFAULT_LANGUAGE) -> bytes:
    """The whole document as .docx bytes: header, footer with page numbers, headings,
    tables, bullets and quotes."""
    from docx import Document
    from docx.shared import Pt

    _ = translations(language).gettext
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Header", "Footer"):
        _set_east_asian_font(document.styles[name])
    document.styles["Normal"].font.size = Pt(10.5)
    _header_and_footer(document, digest, _)
    document.add_heading(document_title(digest, _), level=0)
    colon = "：" if language == "zh-CN" else ": "
    for key, value in meta_lines(digest, _):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{key}{colon}").bold = True
        paragraph.add_run(value)
    for section in document_sections(digest, _):
        document.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for bullet in section.bullets:
            document.add_paragraph(bullet, style="List Bullet")
        if section.table is not None and section.table.rows:
            _table(document, section.table)
        for caption, quotes in section.quotes:
            document.add_heading(caption, level=2)
            for quote in quotes:
                document.add_paragraph(f"“{quote}”", style="List Bullet")
        if section.note:
            document.add_paragraph(section.note).runs[0].italic = True
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
