"""Revisions of a draft and the unified diff between two of them (``difflib``).

Each text field is diffed on its own, with ``a/<field>`` / ``b/<field>`` headers like
``git diff``. The body is split after block elements (paragraphs, headings, list items,
sections, line breaks) so a changed paragraph shows as one changed line, not the whole
body as a single line.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.drafting.domain.content import DraftContent
from shared.accounts import DEFAULT_ACCOUNT

__all__ = [
    "DIFF_FIELDS",
    "Revision",
    "RevisionDiff",
    "RevisionInfo",
    "diff_revisions",
    "field_lines",
]

DIFF_FIELDS = (
    "title",
    "category",
    "digest",
    "author",
    "wished_slot",
    "sources",
    "pictures",
    "body_html",
)
_BLOCK_END = re.compile(
    r"(</(?:p|h[1-6]|li|ul|ol|section|div|blockquote|tr|table|figure|figcaption|pre)>"
    r"|<br\s*/?>|<hr\s*/?>)",
    re.IGNORECASE,
)


class Revision(BaseModel):
    """One saved state of a draft's content."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    draft_id: str
    account: str = Field(default=DEFAULT_ACCOUNT, description="The draft's account (#12).")
    revision: int
    content: DraftContent
    wished_slot: datetime | None = None
    by: str
    at: datetime
    changed: tuple[str, ...] = ()


class RevisionInfo(BaseModel):
    """A revision without its content: who made it, when, and what it changed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    revision: int
    by: str
    at: datetime
    changed: tuple[str, ...] = ()


class RevisionDiff(BaseModel):
    """What changed between two revisions."""

    model_config = ConfigDict(frozen=True)

    draft_id: str
    from_revision: int
    to_revision: int
    changed_fields: tuple[str, ...]
    diff: str


def field_lines(revision: Revision, name: str) -> list[str]:
    """The lines of one field as shown in a diff."""
    content = revision.content
    if name == "body_html":
        return [line for line in _BLOCK_END.sub(r"\1\n", content.body_html).split("\n") if line]
    if name == "sources":
        return [f"{s.kind}: {s.name} {s.url or ''}".rstrip() for s in content.sources]
    if name == "pictures":
        return [f"{p.material_id}{' (cover)' if p.is_cover else ''}" for p in content.pictures]
    if name == "wished_slot":
        return [revision.wished_slot.isoformat()] if revision.wished_slot else []
    value = getattr(content, name)
    return [str(value)] if value != "" else []


def diff_revisions(old: Revision, new: Revision) -> RevisionDiff:
    """The unified diff of every text field from ``old`` to ``new``."""
    chunks: list[str] = []
    changed: list[str] = []
    for name in DIFF_FIELDS:
        before, after = field_lines(old, name), field_lines(new, name)
        if before == after:
            continue
        changed.append(name)
        chunks.extend(
            difflib.unified_diff(
                before,
                after,
                fromfile=f"a/{name} (revision {old.revision})",
                tofile=f"b/{name} (revision {new.revision})",
                lineterm="",
            )
        )
    return RevisionDiff(
        draft_id=new.draft_id,
        from_revision=old.revision,
        to_revision=new.revision,
        changed_fields=tuple(changed),
        diff="\n".join(chunks) + ("\n" if chunks else ""),
    )
