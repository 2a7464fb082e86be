"""Render a report as a Word document (python-docx): A4, a header with the report's
title, a footer with page X of Y (Word fields), the notes, the charts (PNG in the CJK
font), the figures, the questions with our replies, the plan of the next pushes and the
followers section (#14).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from .charts import ChartFont, chart_pngs
from .explain import (
    accounts_text,
    coverage_text,
    evidence_text,
    idea_topic,
    note_text,
    report_title,
    slot_when,
    why_text,
)
from .follower_tables import follower_tables, followers_headline, followers_title
from .i18n import DEFAULT_LANG, Lang, Translator, translator
from .model import Report
from .tables import Table, format_value, report_tables

__all__ = ["MAX_DOC_ROWS", "render_docx"]

MAX_DOC_ROWS = 300
"""Rows of a table a printed document holds; the workbook has every row."""

_EAST_ASIA_FONT = "WenQuanYi Zen Hei"
_COLUMNS = {  # the columns a page can hold, by table
    "accounts": (0, 1, 3, 4, 5, 10, 17),
    "categories": (0, 1, 3, 4, 5, 10, 17),
    "themes": (0, 1, 2, 5, 6, 10),
    "questions": (0, 3, 4, 6, 2),
    "advice": (0, 1, 2, 3),
}


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    run = paragraph.add_run()
    begin, text, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _page_setup(doc: Any, report: Report, tr: Translator) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(2)
    header = section.header.paragraphs[0]
    header.text = report_title(report, tr)
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, rest = tr("Page {page} of {pages}").partition("{page}")
    middle, _, after = rest.partition("{pages}")
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(middle)
    _field(footer, "NUMPAGES")
    footer.add_run(after)
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    style.font.name = _EAST_ASIA_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), _EAST_ASIA_FONT)


def _table(doc: Any, table: Table, tr: Translator) -> None:
    doc.add_heading(table.title, level=2)
    if not table.rows:
        doc.add_paragraph(tr("None in this period."))
        return
    keep = _COLUMNS.get(table.name, tuple(range(len(table.columns))))
    rows = table.rows[:MAX_DOC_ROWS]
    out = doc.add_table(rows=len(rows) + 1, cols=len(keep))
    out.style = "Table Grid"
    # Cells are reached through the XML rows: python-docx's row.cells rebuilds the whole
    # grid on every call, quadratic in a table of a thousand questions.
    trs = out._tbl.tr_lst
    for tc, i in zip(trs[0].tc_lst, keep, strict=True):
        _Cell(tc, out).paragraphs[0].add_run(table.columns[i].header).bold = True
    for tr_el, row in zip(trs[1:], rows, strict=True):
        for tc, i in zip(tr_el.tc_lst, keep, strict=True):
            _Cell(tc, out).text = format_value(row[i], table.columns[i], tr)
    if len(table.rows) > len(rows):
        doc.add_paragraph(
            tr(
                "The first %(shown)s of %(total)s rows; the workbook (XLSX) holds them all.",
                shown=len(rows),
                total=len(table.rows),
            )
        )


def _followers(doc: Any, report: Report, tr: Translator) -> None:
    """The followers section: its headline (alone when there is no follower data), its
    tables and its recommendations as a list."""
    if report.followers is None:
        return
    doc.add_heading(followers_title(tr), level=2)
    doc.add_paragraph(followers_headline(report.followers, tr))
    for table in follower_tables(report, tr):
        if table.name == "followers_advice":
            doc.add_heading(table.title, level=2)
            if not table.rows:
                doc.add_paragraph(tr("No branch lags and no post drove followers away."))
            for row in table.rows:
                doc.add_paragraph(str(row[0]), style="List Bullet")
        else:
            _table(doc, _without(table, tr("Code")), tr)


def _without(table: Table, header: str) -> Table:
    """``table`` without its column ``header`` (a page holds ten narrow columns)."""
    keep = [i for i, c in enumerate(table.columns) if c.header != header]
    return Table(
        table.name,
        table.sheet,
        table.title,
        tuple(table.columns[i] for i in keep),
        [tuple(row[i] for i in keep) for row in table.rows],
    )


def render_docx(report: Report, *, font: ChartFont, lang: Lang = DEFAULT_LANG) -> bytes:
    """The report as a .docx document."""
    tr = translator(lang)
    doc = Document()
    _page_setup(doc, report, tr)
    doc.add_heading(report_title(report, tr), level=1)
    p, q = report.period, report.previous_period
    doc.add_paragraph(
        tr("Period: %(first)s to %(last)s", first=p.first_day, last=p.last_day)
        + " · "
        + tr("compared with %(first)s to %(last)s", first=q.first_day, last=q.last_day)
    )
    if report.accounts:
        doc.add_paragraph(tr("Accounts: %(names)s", names=accounts_text(report, tr)))
    for note in report.notes:
        doc.add_paragraph(note_text(note, tr), style="List Bullet")
    tables = {t.name: t for t in report_tables(report, tr)}
    if "accounts" in tables:
        _table(doc, tables["accounts"], tr)
    _table(doc, tables["categories"], tr)
    for title, png in chart_pngs(report, tr, font):
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        caption = doc.add_paragraph(title)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("themes", "questions"):
        _table(doc, tables[name], tr)
    doc.add_heading(tr("The next pushes"), level=2)
    for slot in report.recommendations.plan:
        head = doc.add_paragraph(style="List Number")
        head.add_run(f"{slot_when(slot, p.zone, tr)} · {tr.category(slot.category)}：").bold = True
        head.add_run(idea_topic(slot.idea, tr))
        for label, text in (
            (tr("Evidence"), evidence_text(slot.idea, tr)),
            (tr("Why"), why_text(slot.idea, tr)),
            (tr("Already covered?"), coverage_text(slot.idea, tr)),
        ):
            line = doc.add_paragraph()
            line.paragraph_format.left_indent = Cm(0.8)
            line.add_run(f"{label}：").bold = True
            line.add_run(text)
    _table(doc, tables["advice"], tr)
    _followers(doc, report, tr)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
