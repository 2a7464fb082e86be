"""A draft's revisions as the editor reads them: the drafting service's unified diff
between two revisions (one ``--- a/<field> (revision n)`` section per changed field, as
``git diff``) split into fields and lines a person can follow, and the pictures the
editor's form chose.

Pure: text in, plain values out; the template escapes every line.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from services.gateway.domain.body import html_to_text

__all__ = [
    "FIELD_LABELS",
    "MAX_PICTURES",
    "DiffLine",
    "FieldDiff",
    "chosen_pictures",
    "field_diffs",
]

FIELD_LABELS = {
    "title": "Title",
    "category": "Category",
    "digest": "Digest",
    "author": "Author",
    "wished_slot": "Wished slot",
    "sources": "Sources",
    "pictures": "Pictures",
    "body_html": "Body",
    "created": "first version",
}
"""A draft's fields by name, and ``created`` (a revision's ``changed`` when it made the
draft): English message ids, translated where shown."""
MAX_PICTURES = 20
"""The drafting service's limit on a draft's pictures."""

_FROM = re.compile(r"^--- a/(?P<field>[a-z_]+) \(revision \d+\)$")
_HUNK = re.compile(r"^@@ -(?P<old>\d+)(?:,\d+)? \+(?P<new>\d+)(?:,\d+)? @@")
Kind = Literal["added", "removed", "same", "gap"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a field: added, removed, unchanged, or a gap between hunks. A line of
    ``pictures`` names its material (``material_id``) and whether it is the cover."""

    kind: Kind
    text: str
    material_id: str = ""
    cover: bool = False


@dataclass
class FieldDiff:
    """A changed field and its lines, in order."""

    field: str
    lines: list[DiffLine] = dataclasses.field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")


_COVER = " (cover)"


def _line(kind: Kind, field_name: str, text: str) -> DiffLine:
    """A body line is HTML (one block): shown as the text the editor wrote; a picture
    line is ``<material id>[ (cover)]``."""
    if field_name == "body_html":
        return DiffLine(kind, html_to_text(text) or text)
    if field_name == "pictures":
        cover = text.endswith(_COVER)
        material = text.removesuffix(_COVER) if cover else text
        return DiffLine(kind, text, material_id=material, cover=cover)
    return DiffLine(kind, text)


def field_diffs(diff: str) -> list[FieldDiff]:
    """The fields of a unified diff, each with its added, removed and kept lines."""
    out: list[FieldDiff] = []
    current: FieldDiff | None = None
    for raw in diff.splitlines():
        start = _FROM.match(raw)
        if start:
            current = FieldDiff(start.group("field"))
            out.append(current)
            continue
        if current is None or raw.startswith("+++ "):
            continue
        if _HUNK.match(raw):
            if current.lines:
                current.lines.append(DiffLine("gap", "…"))
            continue
        kinds: dict[str, Kind] = {"+": "added", "-": "removed", " ": "same"}
        kind = kinds.get(raw[:1])
        if kind is not None:
            current.lines.append(_line(kind, current.field, raw[1:]))
    return out


def chosen_pictures(
    picked: list[str], cover: str, *, known: list[str] | None = None
) -> tuple[list[dict[str, object]], list[str]]:
    """The draft's ``pictures`` from the form: the picked materials in the order the
    form listed them (``known``), ``cover`` marked; and what is wrong with the choice."""
    order = {mid: i for i, mid in enumerate(known or [])}
    unique = list(dict.fromkeys(m for m in picked if m))
    unique.sort(key=lambda m: order.get(m, len(order)))
    problems: list[str] = []
    if len(unique) > MAX_PICTURES:
        problems.append(f"at most {MAX_PICTURES} pictures")
    if cover and cover not in unique:
        problems.append("the cover must be one of the chosen pictures")
    pictures: list[dict[str, object]] = [{"material_id": m, "is_cover": m == cover} for m in unique]
    return pictures, problems
