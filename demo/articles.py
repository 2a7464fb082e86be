"""The sample set: original Chinese articles in the five categories, shipped as JSON.

Each file of ``demo/data/articles/`` is one :class:`Article`: its push day (index into
the simulated push days), which editor writes it, whether it reaches review on time or
after 10:00, its pictures with their recorded origin, its sources, and — for the ones
that break the content norms — what is wrong (``norm_issue``), the reviewer's
``override_reason`` when the finding is justified, or a ``revision`` that fixes it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Category, SourceKind

__all__ = ["ARTICLES_DIR", "Article", "Picture", "Revision", "load_articles"]

ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "articles"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(_Model):
    """Where a picture comes from (素材管理: recorded for every picture)."""

    library: str
    url: str
    credit: str
    licence: str


class Picture(_Model):
    """A picture of an article, recorded as a material before the draft uses it."""

    title: str
    url: str
    origin: Origin
    cover: bool = False
    in_body: bool = False


class SourceInfo(_Model):
    """An information source the article cites."""

    kind: SourceKind
    name: str
    url: str | None = None


class Revision(_Model):
    """How the editor fixes the article after a rejection."""

    note: str
    body: list[str] = Field(min_length=1)


class Article(_Model):
    """One sample article and its part in the scenario."""

    key: str
    day: int = Field(ge=0, description="Index of its push day in the simulated period.")
    editor: Literal["editor", "editor2"]
    submit: Literal["on_time", "late"]
    category: Category
    title: str = Field(min_length=1, max_length=64)
    digest: str = Field(max_length=120)
    author: str
    body: list[str] = Field(min_length=1)
    sources: list[SourceInfo] = Field(default_factory=list)
    pictures: list[Picture] = Field(default_factory=list)
    norm_issue: str | None = None
    override_reason: str | None = None
    revision: Revision | None = None

    @property
    def text_length(self) -> int:
        """Characters of the body text."""
        return sum(len(p) for p in self.body)

    def body_html(self, paragraphs: list[str] | None = None) -> str:
        """The body as HTML; pictures marked ``in_body`` follow the second paragraph."""
        parts = [f"<p>{html.escape(p)}</p>" for p in (paragraphs or self.body)]
        images = [
            f'<p><img src="{html.escape(p.url)}" alt="{html.escape(p.title)}"></p>'
            for p in self.pictures
            if p.in_body
        ]
        at = min(2, len(parts))
        return "".join(parts[:at] + images + parts[at:])

    def draft_create(self, material_ids: list[str], wished_slot: str) -> dict[str, Any]:
        """The body of ``POST /drafts`` (drafting's ``DraftCreate``)."""
        return {
            "title": self.title,
            "category": self.category.value,
            "digest": self.digest,
            "body_html": self.body_html(),
            "author": self.author,
            "sources": [s.model_dump(exclude_none=True) for s in self.sources],
            "pictures": [
                {"material_id": m, "is_cover": p.cover}
                for m, p in zip(material_ids, self.pictures, strict=True)
            ],
            "wished_slot": wished_slot,
        }

    def material_creates(self) -> list[dict[str, Any]]:
        """The bodies of ``POST /materials`` for the article's pictures."""
        return [
            {"title": p.title, "url": p.url, "origin": p.origin.model_dump()} for p in self.pictures
        ]


def load_articles(directory: Path = ARTICLES_DIR) -> list[Article]:
    """Every article of the sample set, by push day then file name."""
    articles = [
        Article.model_validate(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("*.json"))
    ]
    return sorted(articles, key=lambda a: (a.day, a.key))
