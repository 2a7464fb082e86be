"""What the norm checker reports: categories, severities, findings and the result of a check.

Every value here is immutable and JSON-serialisable through ``to_dict()``. Offsets are
character indices into the ORIGINAL text that was checked, so ``text[f.start:f.end]``
is always ``f.matched``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "Category",
    "CheckResult",
    "Finding",
    "Severity",
    "resolve_overlaps",
]


class Category(StrEnum):
    """The content-norm categories of Appendix 1 (附件一：内容规范)."""

    POLITICAL = "political"
    SEXUAL = "sexual"
    GAMBLING_VIOLENCE = "gambling_violence"
    RUMOUR = "rumour"
    SPAM = "spam"
    PRIVACY = "privacy"
    CONFIDENTIAL = "confidential"


class Severity(StrEnum):
    """``block``: must not be published; ``warn``: a reviewer decides."""

    BLOCK = "block"
    WARN = "warn"


_SEVERITY_RANK = {Severity.BLOCK: 1, Severity.WARN: 0}


@dataclass(frozen=True, slots=True)
class Finding:
    """One span of the checked text that breaks (or may break) a content norm."""

    category: Category
    rule_id: str
    severity: Severity
    matched: str
    start: int
    end: int
    normalised: str
    evasion: str
    confidence: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "category": str(self.category),
            "rule_id": self.rule_id,
            "severity": str(self.severity),
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "normalised": self.normalised,
            "evasion": self.evasion,
            "confidence": self.confidence,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The findings for one text, and the version of the lexicon that produced them."""

    findings: tuple[Finding, ...]
    lexicon_version: str
    text_length: int

    @property
    def blocking(self) -> bool:
        """True when any finding must stop publication."""
        return any(f.severity is Severity.BLOCK for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "lexicon_version": self.lexicon_version,
            "text_length": self.text_length,
            "blocking": self.blocking,
            "findings": [f.to_dict() for f in self.findings],
        }


def _priority(finding: Finding) -> tuple[int, int, float, int]:
    return (
        _SEVERITY_RANK[finding.severity],
        finding.end - finding.start,
        finding.confidence,
        -finding.start,
    )


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep a non-overlapping set of findings, sorted by position.

    Where findings overlap (a lexicon term inside a phone number, ``网赌`` and ``赌博``
    in ``网赌博``), the one kept is the more severe, then the longer, then the more
    confident; ties go to the earlier one.
    """
    starts: list[int] = []  # kept spans never overlap, so starts and ends sort alike
    kept: list[Finding] = []
    for finding in sorted(findings, key=_priority, reverse=True):
        i = bisect_right(starts, finding.start)
        if i > 0 and kept[i - 1].end > finding.start:
            continue
        if i < len(kept) and kept[i].start < finding.end:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept
