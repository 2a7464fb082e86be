"""Value types shared by several event payloads."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from pydantic import AnyHttpUrl, Field

from shared.events.envelope import Contract

__all__ = [
    "CATEGORY_LABELS",
    "Category",
    "ContentSnapshot",
    "FeedbackKind",
    "FindingRef",
    "PictureRef",
    "PictureOrigin",
    "Source",
    "SourceKind",
]


class Category(StrEnum):
    """The plan's five content categories (信息推送分类)."""

    INDUSTRY = "industry"  # 行业信息
    MANAGEMENT = "management"  # 企业管理
    HR = "hr"  # 人力资源管理
    FINANCE = "finance"  # 财务管理
    SERVICES = "services"  # 公司融智综合服务体系


CATEGORY_LABELS: dict[str, str] = {
    Category.INDUSTRY.value: "行业信息",
    Category.MANAGEMENT.value: "企业管理",
    Category.HR.value: "人力资源管理",
    Category.FINANCE.value: "财务管理",
    Category.SERVICES.value: "公司融智综合服务体系",
}
"""The plan's Chinese name of each category, keyed by its value (``"industry"``)."""


class SourceKind(StrEnum):
    """Where a piece of information came from (信息来源)."""

    PORTAL = "portal"
    AUTHORITY = "authority"
    NEWS = "news"
    INTERNAL = "internal"


class FeedbackKind(StrEnum):
    """What a piece of customer feedback is."""

    COMMENT = "comment"
    MESSAGE = "message"
    REPLY = "reply"
    METRIC = "metric"


class Source(Contract):
    """An information source cited by a draft."""

    kind: SourceKind = Field(description="portal, authority, news or internal.")
    name: str = Field(min_length=1, max_length=200, examples=["国家税务总局"])
    url: AnyHttpUrl | None = Field(
        default=None, description="Link to the source; optional for internal material."
    )


class PictureOrigin(Contract):
    """Where a picture comes from; the plan requires it recorded for every picture."""

    library: str = Field(
        min_length=1, max_length=200, description="Image library or portal.", examples=["视觉中国"]
    )
    url: AnyHttpUrl = Field(description="Where the picture was taken from.")
    credit: str = Field(min_length=1, max_length=200, description="Author or credit line.")
    licence: str = Field(min_length=1, max_length=500, description="Licence note.")


class PictureRef(Contract):
    """A picture used by a draft, with its recorded origin."""

    material_id: str = Field(min_length=1, max_length=64, description="Material id in drafting.")
    url: AnyHttpUrl = Field(description="Where the picture file can be fetched.")
    origin: PictureOrigin
    is_cover: bool = Field(default=False, description="True for the cover picture.")


class ContentSnapshot(Contract):
    """The exact content a reviewer approved; its hash must match what is published."""

    title: str = Field(min_length=1, max_length=64, examples=["2026年个税汇算清缴要点"])
    category: Category
    digest: str = Field(default="", max_length=120, description="Summary shown in the feed.")
    body_html: str = Field(min_length=1, max_length=20_000, description="Sanitised HTML body.")
    author: str = Field(min_length=1, max_length=64)
    sources: tuple[Source, ...] = ()
    pictures: tuple[PictureRef, ...] = ()

    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of this snapshot.

        Drafting sends it, review approves it, the publisher refuses to send content
        whose hash differs: one definition, here.
        """
        canonical = json.dumps(
            self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class FindingRef(Contract):
    """A content-norm finding as carried on events (the review service's checker output)."""

    category: str = Field(description="Norm category, e.g. gambling, privacy.")
    rule_id: str
    severity: str = Field(description="block or warn.")
    matched: str = Field(description="The matched original text.")
    start: int = Field(ge=0, description="Start offset in the checked text.")
    end: int = Field(ge=0, description="End offset in the checked text.")
    explanation: str = ""
