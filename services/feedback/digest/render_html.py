"""Render the core-issues document as one self-contained, escaped HTML page.

No scripts, no external resources; the style is inline and sized for a phone screen (wide
tables scroll sideways inside their own box).
"""

from __future__ import annotations

from html import escape

from .model import CoreIssuesDigest
from .sections import Table, document_sections, document_title, meta_lines

__all__ = ["render_html"]

_STYLE = """
body{margin:0;padding:12px;font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",
"Noto Sans CJK SC",sans-serif;color:#222;background:#fafafa}
main{max-width:860px;margin:0 auto;background:#fff;padding:12px 16px;border-radius:8px}
h1{font-size:1.35em;text-align:center;margin:.4em 0}
h2{font-size:1.1em;border-left:4px solid #07c160;padding-left:8px;margin:1.4em 0 .6em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;font-size:.92em}
dl.meta dt{color:#666}dl.meta dd{margin:0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f7f3;white-space:nowrap}
blockquote{margin:.3em 0;padding:.2em .8em;border-left:3px solid #ccc;color:#444;background:#f7f7f7}
.note{color:#888;font-size:.9em}
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    table_html = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table_html}</div>'


def render_html(digest: CoreIssuesDigest) -> str:
    """The whole document as an HTML page; every piece of text is escaped."""
    title = escape(document_title(digest))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body><main>",
        f"<h1>{title}</h1>",
        '<dl class="meta">'
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta_lines(digest))
        + "</dl>",
    ]
    for section in document_sections(digest):
        parts.append(f"<section><h2>{escape(section.heading)}</h2>")
        parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        if section.table is not None and section.table.rows:
            parts.append(_table(section.table))
        if section.bullets:
            parts.append(
                "<ul>" + "".join(f"<li>{escape(b)}</li>" for b in section.bullets) + "</ul>"
            )
        for caption, quotes in section.quotes:
            parts.append(f"<h3>{escape(caption)}</h3>")
            parts += [f"<blockquote>{escape(q)}</blockquote>" for q in quotes]
        if section.note:
            parts.append(f'<p class="note">{escape(section.note)}</p>')
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
