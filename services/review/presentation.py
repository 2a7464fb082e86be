"""How the queue shows a review to a person: findings highlighted, time left in words.

:func:`highlight` escapes the checked text and wraps each finding in a ``<mark>`` built
from its offsets, so the result is safe to put in a page as it is (the draft's own
markup never reaches it: it was reduced to text before the check).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from services.review.domain.findings import ReviewFinding

__all__ = ["highlight", "time_left_text"]


def highlight(text: str, findings: Iterable[ReviewFinding]) -> str:
    """``text`` HTML-escaped, with ``<mark>`` around each finding (overlaps skipped)."""
    out: list[str] = []
    pos = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        if finding.start < pos or finding.end > len(text) or finding.end <= finding.start:
            continue  # overlapping or out of range: never produce broken markup
        out.append(escape(text[pos : finding.start]))
        out.append(
            f'<mark class="finding {escape(finding.severity)}" '
            f'data-category="{escape(finding.category)}" '
            f'data-rule="{escape(finding.rule_id)}" '
            f'title="{escape(finding.explanation)}">'
            f"{escape(text[finding.start : finding.end])}</mark>"
        )
        pos = finding.end
    out.append(escape(text[pos:]))
    return "".join(out)


def time_left_text(seconds: float) -> str:
    """``2 h 05 min left``, ``4 min left``, ``overdue by 1 h 10 min``."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = f"{days} d {hours} h"
    elif hours:
        span = f"{hours} h {mins:02d} min"
    else:
        span = f"{mins} min"
    return f"{span} left" if seconds >= 0 else f"overdue by {span}"
