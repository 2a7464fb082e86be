"""Builders for the drafting unit tests: drafts in every state, facts, materials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.drafting.domain.content import DraftContent, Material, OriginRecord, PictureUse
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Approval, Failure, Publication, Rejection
from shared.events import Category

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # Monday 11:30 China time


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def content(**changes: object) -> DraftContent:
    base = DraftContent(
        title="2026年个税汇算清缴要点",
        category=Category.FINANCE,
        digest="三分钟看懂今年的汇算清缴。",
        body_html="<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
        author="erin",
    )
    return base.model_copy(update=changes)


def material(material_id: str = "m-1", *, with_origin: bool = True) -> Material:
    return Material(
        id=material_id,
        title="办公室",
        url=f"https://img.example.cn/{material_id}.jpg",
        origin=OriginRecord(
            library="视觉中国",
            url="https://www.vcg.com/creative/123",
            credit="张三",
            licence="编辑用途授权，2026年有效",
        )
        if with_origin
        else None,
        created_by="erin",
        created_at=T0,
        updated_at=T0,
    )


def new_draft(**changes: object) -> Draft:
    return Draft.create("d-1", content(**changes), wished_slot=SLOT, by="erin", at=T0)


def submitted_draft() -> Draft:
    from services.drafting.domain.content import build_snapshot

    draft = new_draft()
    draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(1))
    draft.collect_events()
    return draft


def approval_for(draft: Draft, *, slot: datetime | None = SLOT, **changes: object) -> Approval:
    assert draft.submission is not None
    base = Approval(
        revision=draft.revision,
        review_id="r-1",
        reviewer="rita",
        approved_at=at(5),
        content_hash=draft.submission.content_hash,
        slot=slot,
    )
    return base.model_copy(update=changes)


def rejection_for(draft: Draft, **changes: object) -> Rejection:
    base = Rejection(revision=draft.revision, review_id="r-1", reviewer="rita", rejected_at=at(5))
    return base.model_copy(update=changes)


def publication_for(draft: Draft, **changes: object) -> Publication:
    assert draft.submission is not None
    base = Publication(
        post_id="p-1",
        channel="local",
        url="https://mp.weixin.qq.com/s/abc",
        published_at=SLOT,
        slot_at=SLOT,
        content_hash=draft.submission.content_hash,
    )
    return base.model_copy(update=changes)


def failure(**changes: object) -> Failure:
    base = Failure(post_id="p-1", code="channel_error", reason="WeChat refused", failed_at=SLOT)
    return base.model_copy(update=changes)


def picture(material_id: str = "m-1", *, cover: bool = False) -> PictureUse:
    return PictureUse(material_id=material_id, is_cover=cover)
