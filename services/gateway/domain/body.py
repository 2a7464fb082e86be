"""The editor's body: plain paragraphs written by a person <-> the HTML drafting accepts.

The editor writes text: a blank line starts a paragraph, ``## `` a heading, ``- `` a list
item. :func:`text_to_html` escapes every character a person typed, so nothing they write
becomes markup; :func:`html_to_text` turns a stored body back into that text to edit it.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

__all__ = ["html_to_text", "text_to_html"]


def text_to_html(text: str) -> str:
    """Paragraphs, ``##`` headings and ``-`` lists as escaped HTML."""
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    out: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:].strip())}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            out.append(f"<h2>{escape(lines[0][3:].strip())}</h2>")
        else:
            out.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return "".join(out)


class _Text(HTMLParser):
    _BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "blockquote", "section"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.skip = 0

    def _flush(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.blocks.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self._BLOCKS:
            self._flush()
            self.prefix = "## " if tag in ("h1", "h2", "h3", "h4") else ""
        elif tag == "li":
            self._flush()
            self.prefix = "- "
        elif tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCKS or tag == "li":
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """The editor's text of a stored body (lists keep ``-``, headings ``##``)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    out: list[str] = []
    for block in parser.blocks:
        if block.startswith("- ") and out and out[-1].startswith("- "):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return "\n\n".join(out)
