"""What a draft says, the pictures it uses, and the snapshot sent to review.

Pure rules, no I/O. URLs are kept as validated strings so the models store as they are.
A picture's **origin** (library, URL, credit, licence) lives on its material; a draft
can be saved with a picture whose origin is still unknown, but it cannot be submitted:
the plan requires every published picture's origin recorded (素材管理).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html.parser import HTMLParser
from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, TypeAdapter

from services.drafting.errors import FieldProblem, InvalidContent
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import Category, ContentSnapshot, PictureOrigin, PictureRef, Source, SourceKind

__all__ = [
    "DraftContent",
    "HttpUrl",
    "Material",
    "OriginRecord",
    "PictureUse",
    "SourceRef",
    "body_image_urls",
    "build_snapshot",
    "check_references",
]

_URL = TypeAdapter(AnyHttpUrl)


def _http_url(value: str) -> str:
    return str(_URL.validate_python(value))


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) URL, validated and normalised, stored as a plain string."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SourceRef(_Value):
    """An information source a draft cites (信息来源)."""

    kind: SourceKind
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl | None = None


class PictureUse(_Value):
    """A material used as a picture of the draft."""

    material_id: str = Field(min_length=1, max_length=64)
    is_cover: bool = False


class OriginRecord(_Value):
    """Where a picture comes from: library or portal, URL, credit and licence note."""

    library: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    credit: str = Field(min_length=1, max_length=200)
    licence: str = Field(min_length=1, max_length=500)


class Material(_Value):
    """A picture chosen from an image library or portal, with its recorded origin; it
    belongs to one account and only that account's drafts use it (#12)."""

    id: str
    account: str = Field(
        default=DEFAULT_ACCOUNT, description="The official account the material belongs to."
    )
    title: str
    url: HttpUrl
    origin: OriginRecord | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime


class DraftContent(_Value):
    """The editable text of one revision (the body is already sanitised)."""

    title: str = Field(min_length=1, max_length=64)
    category: Category
    digest: str = Field(default="", max_length=120)
    body_html: str = Field(min_length=1)
    author: str = Field(min_length=1, max_length=64)
    sources: tuple[SourceRef, ...] = ()
    pictures: tuple[PictureUse, ...] = ()

    def changed_fields(self, other: DraftContent) -> list[str]:
        """Names of the fields whose value differs from ``other``."""
        mine, theirs = self.model_dump(), other.model_dump()
        return [name for name in mine if mine[name] != theirs[name]]


def check_references(
    content: DraftContent, materials: Mapping[str, Material], *, account: str = DEFAULT_ACCOUNT
) -> None:
    """Sources name a URL unless internal, pictures exist and are materials of the
    draft's ``account``, at most one cover."""
    problems: list[FieldProblem] = []
    for i, source in enumerate(content.sources):
        if source.kind is not SourceKind.INTERNAL and source.url is None:
            problems.append((f"sources.{i}.url", f"a {source.kind} source needs its URL"))
    seen: set[str] = set()
    for i, picture in enumerate(content.pictures):
        material = materials.get(picture.material_id)
        if material is None:
            problems.append((f"pictures.{i}.material_id", "no such material"))
        elif material.account != account:
            # Which account it belongs to is not said: the caller may not read it.
            problems.append(
                (
                    f"pictures.{i}.material_id",
                    f"the material is not one of account {account!r}'s materials",
                )
            )
        if picture.material_id in seen:
            problems.append((f"pictures.{i}.material_id", "the picture is listed twice"))
        seen.add(picture.material_id)
    if sum(p.is_cover for p in content.pictures) > 1:
        problems.append(("pictures", "at most one picture can be the cover"))
    if problems:
        raise InvalidContent(problems)


def build_snapshot(
    content: DraftContent, materials: Mapping[str, Material], *, account: str = DEFAULT_ACCOUNT
) -> ContentSnapshot:
    """The exact content sent for review; refuses pictures without a recorded origin
    and pictures that are not materials of the draft's ``account``.

    Every ``<img>`` of the body must also be one of the draft's pictures, so that no
    picture reaches the account without its origin.
    """
    check_references(content, materials, account=account)
    problems: list[FieldProblem] = []
    pictures: list[PictureRef] = []
    for i, use in enumerate(content.pictures):
        material = materials[use.material_id]
        if material.origin is None:
            problems.append(
                (f"pictures.{i}.origin", f"material {material.id} has no recorded origin")
            )
            continue
        pictures.append(
            PictureRef(
                material_id=material.id,
                url=AnyHttpUrl(material.url),
                origin=PictureOrigin.model_validate(material.origin.model_dump()),
                is_cover=use.is_cover,
            )
        )
    known = {materials[p.material_id].url for p in content.pictures}
    unknown = [url for url in body_image_urls(content.body_html) if _normal(url) not in known]
    if unknown:
        problems.append(
            (
                "body_html",
                "the body shows pictures that are not among the draft's pictures (their "
                f"origin is unknown): {', '.join(unknown[:5])}",
            )
        )
    if problems:
        raise InvalidContent(problems)
    return ContentSnapshot(
        title=content.title,
        category=content.category,
        digest=content.digest,
        body_html=content.body_html,
        author=content.author,
        sources=tuple(
            Source(kind=s.kind, name=s.name, url=AnyHttpUrl(s.url) if s.url else None)
            for s in content.sources
        ),
        pictures=tuple(pictures),
    )


def _normal(url: str) -> str:
    try:
        return _http_url(url)
    except ValueError:
        return url


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.urls.extend(value for name, value in attrs if name == "src" and value)


def body_image_urls(body_html: str) -> list[str]:
    """The ``src`` of every image in a (sanitised) body, in order."""
    parser = _Images()
    parser.feed(body_html)
    parser.close()
    return parser.urls
