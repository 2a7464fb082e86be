"""The snapshot sent for review: pictures need their origin, sources their URL."""

from __future__ import annotations

import pytest
from drafting_support import content, material, picture

from services.drafting.domain.content import SourceRef, build_snapshot, check_references
from services.drafting.errors import InvalidContent
from shared.events import ContentSnapshot, SourceKind


def test_the_snapshot_carries_each_pictures_origin_and_its_hash_is_the_contracts() -> None:
    draft_content = content(pictures=(picture("m-1", cover=True),))

    snapshot = build_snapshot(draft_content, {"m-1": material("m-1")})

    assert snapshot.pictures[0].origin.library == "视觉中国"
    assert snapshot.pictures[0].is_cover
    assert str(snapshot.pictures[0].url) == "https://img.example.cn/m-1.jpg"
    copy = ContentSnapshot.model_validate_json(snapshot.model_dump_json())
    assert copy.content_hash() == snapshot.content_hash()


def test_a_picture_without_origin_is_refused_naming_the_picture() -> None:
    draft_content = content(pictures=(picture("m-1"), picture("m-2")))
    materials = {"m-1": material("m-1"), "m-2": material("m-2", with_origin=False)}

    with pytest.raises(InvalidContent) as refused:
        build_snapshot(draft_content, materials)

    assert refused.value.fields == ["pictures.1.origin"]
    assert "m-2 has no recorded origin" in str(refused.value)


def test_an_image_in_the_body_must_be_one_of_the_drafts_pictures() -> None:
    body = '<p>图</p><img src="https://img.example.cn/m-1.jpg"><img src="https://x.cn/b.png">'
    draft_content = content(body_html=body, pictures=(picture("m-1"),))

    with pytest.raises(InvalidContent, match="https://x.cn/b.png") as refused:
        build_snapshot(draft_content, {"m-1": material("m-1")})

    assert refused.value.fields == ["body_html"]


def test_an_image_of_a_listed_picture_may_appear_in_the_body() -> None:
    body = '<p>图</p><img src="https://img.example.cn/m-1.jpg">'
    draft_content = content(body_html=body, pictures=(picture("m-1"),))

    assert build_snapshot(draft_content, {"m-1": material("m-1")}).body_html == body


def test_an_unknown_material_is_refused_naming_the_picture() -> None:
    with pytest.raises(InvalidContent) as refused:
        check_references(content(pictures=(picture("m-404"),)), {})

    assert refused.value.fields == ["pictures.0.material_id"]


def test_only_one_picture_may_be_the_cover() -> None:
    draft_content = content(pictures=(picture("m-1", cover=True), picture("m-2", cover=True)))

    with pytest.raises(InvalidContent) as refused:
        check_references(draft_content, {"m-1": material("m-1"), "m-2": material("m-2")})

    assert refused.value.fields == ["pictures"]


def test_a_public_source_needs_its_url_an_internal_one_does_not() -> None:
    sources = (
        SourceRef(kind=SourceKind.INTERNAL, name="财务部提供"),
        SourceRef(kind=SourceKind.NEWS, name="新华网"),
    )

    with pytest.raises(InvalidContent) as refused:
        check_references(content(sources=sources), {})

    assert refused.value.fields == ["sources.1.url"]
