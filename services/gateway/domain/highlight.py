"""A checked text cut into plain and marked segments, from the norm check's offsets.

Templates show the segments (autoescaped), so no markup from the service or the text
ever reaches the page as HTML. Overlapping or out-of-range findings are left unmarked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Segment", "segments"]


@dataclass(frozen=True)
class Segment:
    """A piece of the text; ``finding`` is the index of the finding it shows, or ``None``."""

    text: str
    finding: int | None = None
    severity: str = ""


def segments(text: str, findings: Sequence[Mapping[str, Any]], part: str) -> list[Segment]:
    """``text`` cut at the findings of ``part`` (their ``start``/``end`` offsets)."""
    marked = sorted(
        (
            (int(f["start"]), int(f["end"]), index, str(f.get("severity", "")))
            for index, f in enumerate(findings)
            if f.get("part") == part
        ),
        key=lambda t: (t[0], t[1]),
    )
    out: list[Segment] = []
    pos = 0
    for start, end, index, severity in marked:
        if start < pos or end > len(text) or end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], finding=index, severity=severity))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out
