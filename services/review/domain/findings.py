"""A content-norm finding in one part of a post, and checking a post's parts.

:func:`check_snapshot` checks title, digest and the body's text
(:func:`~services.review.norms.html_to_text`) separately, so every finding's offsets
refer to the text of its own part.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.review.norms import Finding, NormChecker, html_to_text
from shared.events import ContentSnapshot, FindingRef

__all__ = ["ContentCheck", "Part", "ReviewFinding", "check_snapshot"]


class Part(StrEnum):
    """The part of the post a finding was found in; offsets refer to that part's text."""

    TITLE = "title"
    DIGEST = "digest"
    BODY = "body"


_PART_LABELS = {Part.TITLE: "标题", Part.DIGEST: "摘要", Part.BODY: "正文"}


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class ReviewFinding(_Model):
    """One content-norm finding, with the part of the post it is in."""

    part: Part
    category: str
    rule_id: str
    severity: str = Field(description="block or warn.")
    matched: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    explanation: str = ""
    confidence: float = 1.0
    evasion: str = "none"

    @property
    def blocking(self) -> bool:
        return self.severity == "block"

    def ref(self) -> FindingRef:
        """As carried on events; the part leads the explanation (FindingRef has no field)."""
        return FindingRef(
            category=self.category,
            rule_id=self.rule_id,
            severity=self.severity,
            matched=self.matched,
            start=self.start,
            end=self.end,
            explanation=f"[{self.part}] {self.explanation}".strip(),
            part=self.part,
        )

    def describe(self) -> str:
        """``「网赌」 (gambling_violence, block) in body at 12-14``."""
        return (
            f"「{self.matched}」 ({self.category}, {self.severity}) in "
            f"{self.part} ({_PART_LABELS[self.part]}) at {self.start}-{self.end}"
        )


@dataclass(frozen=True)
class ContentCheck:
    """The findings in a post, the lexicon version, and the body text they refer to."""

    findings: list[ReviewFinding]
    lexicon_version: str
    body_text: str


def _in_part(part: Part, finding: Finding) -> ReviewFinding:
    return ReviewFinding(part=part, **finding.to_dict())


def check_snapshot(checker: NormChecker, snapshot: ContentSnapshot) -> ContentCheck:
    """Check title, digest and body text of ``snapshot``."""
    body_text = html_to_text(snapshot.body_html)
    findings: list[ReviewFinding] = []
    parts = ((Part.TITLE, snapshot.title), (Part.DIGEST, snapshot.digest), (Part.BODY, body_text))
    for part, text in parts:
        if text:
            findings.extend(_in_part(part, f) for f in checker.check(text).findings)
    return ContentCheck(findings=findings, lexicon_version=checker.version, body_text=body_text)
