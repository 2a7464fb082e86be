"""What sanitising a draft body does: refuse what is dangerous, tidy what is harmless.

The body is cleaned by ``nh3`` (an allow-list HTML sanitiser) with WeChat-friendly tags,
attributes and inline styles. The constructs of the input and of the cleaned output are
then **compared**:

* anything dangerous in the input — a ``<script>`` (or another element that runs, embeds
  or redirects to code: iframe, object, embed, base, meta, link, ...), an ``on*`` event
  handler, a ``javascript:`` / ``vbscript:`` / ``data:text/html`` URL, script in inline
  CSS — makes the whole body **refused** (422 naming ``body_html``) and nothing is
  stored. Silently dropping it would let an editor believe a script went out, or hide a
  paste from a compromised source; the cleaner would remove it anyway (and should it
  ever let one through, the output check refuses that too);
* everything else the cleaner changed (unknown tags such as ``<font>``, attributes outside
  the allow-list, comments, ``<style>`` blocks pasted from Word) is harmless
  normalisation, applied **silently**; the changes come back as notes for the editor.

Size limits are WeChat's: the stored (cleaned) body must be under 20,000 characters and
1 MB; an input over 1 MB is refused before it is parsed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from services.drafting.errors import InvalidContent

__all__ = ["MAX_BODY_BYTES", "MAX_BODY_CHARS", "BodyVerdict", "sanitise_body"]

FIELD = "body_html"
MAX_BODY_CHARS = 20_000
MAX_BODY_BYTES = 1_000_000

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre", "q",
        "s", "section", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
# Inline styles WeChat articles use for typography; no positioning, no url() values.
ALLOWED_STYLES = frozenset(
    {
        "color", "background-color", "font-size", "font-weight", "font-style", "font-family",
        "text-align", "text-decoration", "text-indent", "line-height", "letter-spacing",
        "margin", "margin-top", "margin-bottom", "margin-left", "margin-right", "padding",
        "padding-top", "padding-bottom", "padding-left", "padding-right", "border",
        "border-radius", "width", "max-width", "height", "vertical-align",
    }
)  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Elements that run, embed or redirect to code; their presence means an attack or a
# paste from somewhere that must not reach the account.
DANGEROUS_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link"}
)
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_SCRIPT_IN_CSS = ("expression(", "javascript:", "vbscript:")
_URL_ATTRIBUTES = frozenset(
    {
        "action", "background", "cite", "codebase", "content", "data", "dynsrc", "formaction",
        "href", "longdesc", "lowsrc", "ping", "poster", "src", "srcset", "xlink:href",
    }
)  # fmt: skip


@dataclass(frozen=True)
class BodyVerdict:
    """The cleaned body and what cleaning changed silently."""

    html: str
    notes: tuple[str, ...] = ()


@dataclass
class _Scan:
    dangers: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    attributes: Counter[str] = field(default_factory=Counter)
    comments: int = 0


class _Scanner(HTMLParser):
    """Lists the constructs of a fragment (attribute values arrive entity-decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = _Scan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scan.tags[tag] += 1
        if tag in DANGEROUS_TAGS:
            self.scan.dangers[f"<{tag}> element"] += 1
        for name, value in attrs:
            self.scan.attributes[f"{name} on <{tag}>"] += 1
            if name.startswith("on"):
                self.scan.dangers[f"{name} event handler on <{tag}>"] += 1
            squashed = _squash(value or "")
            if name in _URL_ATTRIBUTES and squashed.startswith(_SCRIPT_SCHEMES):
                scheme = squashed.split(":", 1)[0]
                self.scan.dangers[f"{scheme}: URL in {name} of <{tag}>"] += 1
            elif name == "style" and any(bad in squashed for bad in _SCRIPT_IN_CSS):
                self.scan.dangers[f"script in the style of <{tag}>"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.scan.comments += 1


def _squash(value: str) -> str:
    """Lower-case ``value`` without the whitespace and control characters browsers skip."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ord(ch) != 0x7F).lower()


def _scan(html: str) -> _Scan:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.scan


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
        filter_style_properties=set(ALLOWED_STYLES),
    )


def sanitise_body(html: str) -> BodyVerdict:
    """Clean ``html``; raise :class:`InvalidContent` naming ``body_html`` when refused."""
    size = len(html.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise InvalidContent.one(FIELD, f"body is {size} bytes; WeChat accepts under 1 MB")
    cleaned = _clean(html)
    before, after = _scan(html), _scan(cleaned)
    # Whatever the cleaner removed or (should it ever happen) let through: refuse both.
    dangers = before.dangers + after.dangers
    if dangers:
        found = ", ".join(sorted(dangers))
        raise InvalidContent.one(
            FIELD, f"body contains active content that is never published: {found}"
        )
    if not cleaned.strip():
        raise InvalidContent.one(FIELD, "body is empty after sanitising")
    if len(cleaned) > MAX_BODY_CHARS:
        raise InvalidContent.one(
            FIELD,
            f"body is {len(cleaned)} characters after sanitising; "
            f"WeChat accepts at most {MAX_BODY_CHARS}",
        )
    return BodyVerdict(html=cleaned, notes=_notes(before, after))


def _notes(before: _Scan, after: _Scan) -> tuple[str, ...]:
    notes = [f"removed <{tag}> tag" for tag in sorted(before.tags - after.tags)]
    notes += [f"removed {attr} attribute" for attr in sorted(before.attributes - after.attributes)]
    if before.comments:
        notes.append("removed HTML comments")
    return tuple(notes)
