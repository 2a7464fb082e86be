"""The pure rules behind issue #13's last console pieces: Today's closing windows and
unopened documents and reports, the report's coded notes and topic ideas worded in the
reader's language (the same sentences the reporting service's own documents use), the
draft's pictures chosen in the editor, and the revision diff split into fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.drafting.domain.content import DraftContent, PictureUse, SourceRef
from services.drafting.domain.revisions import Revision, diff_revisions
from services.gateway.domain.report_text import Words, advice_text, idea_texts, note_text
from services.gateway.domain.revisions import MAX_PICTURES, chosen_pictures, field_diffs
from services.gateway.domain.today import unread, windows_closing
from services.gateway.pages._common import category_text
from services.gateway.web.i18n import translations
from services.reporting.reports import explain
from services.reporting.reports.i18n import translator
from services.reporting.reports.model import (
    AskedQuestion,
    Coverage,
    Evidence,
    FormAdvice,
    Note,
    PostRef,
    TopicIdea,
)
from shared.events import SourceKind

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai


def words(lang: str) -> Words:
    return Words(translations(lang).gettext, lambda value: category_text(value, lang))


# -- Today -----------------------------------------------------------------------------
def _window(post_id: str, state: str, hours_left: float) -> dict[str, str]:
    return {
        "post_id": post_id,
        "state": state,
        "ends_at": (NOW + timedelta(hours=hours_left)).isoformat(),
    }


def test_windows_closing_in_the_next_six_hours_are_shown_soonest_first() -> None:
    windows = [
        _window("later", "open", 5.5),
        _window("soon", "open", 0.5),
        _window("tomorrow", "open", 20),
        _window("past", "open", -0.1),  # being closed by the feedback service
        _window("closed", "closed", 1),
    ]
    closing = windows_closing(windows, now=NOW)
    assert [c.window["post_id"] for c in closing] == ["soon", "later"]
    assert closing[0].seconds_left == 1800


def test_unread_keeps_the_listed_order_shows_a_few_and_counts_all() -> None:
    items = [{"id": f"r{i}"} for i in range(8)]
    found = unread(items, {"r0", "r3"}, key="id", show=5)
    assert [i["id"] for i in found.items] == ["r1", "r2", "r4", "r5", "r6"]
    assert found.total == 6
    assert unread(items, {i["id"] for i in items}, key="id").total == 0


# -- the report's codes, worded ----------------------------------------------------------
NOTES = [
    Note(code="no_posts"),
    Note(
        code="summary",
        params={
            "posts": 6,
            "reads": 12345,
            "engagement": 0.0812,
            "reply_rate": 0.9,
            "prev_posts": 5,
            "prev_reads": 9000,
            "prev_engagement": None,
            "limit": "12",
        },
    ),
    Note(code="failed", params={"count": 2, "posts": "个税、社保"}),
    Note(code="breached", params={"count": 3, "limit": "6"}),
    Note(code="no_digests"),
    Note(code="uncategorised", params={"count": 1, "posts": "p-x"}),
    Note(code="text", params={"text": "An old report's sentence."}),
]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("note", NOTES, ids=[n.code for n in NOTES])
def test_each_note_reads_as_the_reporting_service_words_it(lang: str, note: Note) -> None:
    expected = explain.note_text(note, translator(lang))
    assert note_text(note.model_dump(mode="json"), words(lang)) == expected
    assert "%(" not in expected


def test_the_summary_note_in_chinese_gives_the_figures() -> None:
    text = note_text(NOTES[1].model_dump(mode="json"), words("zh-CN"))
    assert text.startswith("本期发布 6 篇推送，阅读 12,345 次，互动率 8.1%")
    assert "12 小时内回复率 90.0%" in text


def test_a_note_of_an_unknown_code_is_still_shown_with_its_parameters() -> None:
    text = note_text({"code": "new_kind", "params": {"count": 4}}, words("zh-CN"))
    assert "new_kind" in text
    assert "count=4" in text
    assert note_text("plain words", words("en")) == "plain words"


def _post(title: str) -> PostRef:
    return PostRef(post_id=f"p-{title}", title=title, category="finance", reads=900, shares=40)


IDEAS = [
    TopicIdea(
        topic="专项附加扣除怎么填",
        intent="个税申报",
        category="finance",
        source="questions",
        evidence=Evidence(
            questions=[AskedQuestion(text="专项附加扣除怎么填？", asked=3, unanswered=1)],
            asked=3,
            unanswered=1,
            posts=[_post("个税汇算要点")],
            post_count=1,
        ),
        covered_by=[Coverage(post=_post("个税汇算要点"), how="own_feedback")],
        weight=3.0,
    ),
    TopicIdea(
        topic="社保基数",
        category="hr",
        source="problems",
        evidence=Evidence(
            mentions=4,
            quotes=["看不懂", "太复杂"],
            posts=[_post(f"t{i}") for i in range(4)],
            post_count=5,
        ),
        weight=2.0,
    ),
    TopicIdea(
        topic="个税汇算要点",
        category="finance",
        source="most_read",
        evidence=Evidence(posts=[_post("个税汇算要点")], praise=2),
        covered_by=[Coverage(post=_post("个税汇算要点"), how="same_post")],
        weight=1.5,
    ),
    TopicIdea(
        topic="行业动态",
        category="industry",
        source="rotation",
        evidence=Evidence(),
        weight=0.1,
    ),
    TopicIdea(
        topic="数字化转型",
        category="management",
        source="interest",
        evidence=Evidence(mentions=2),
        covered_by=[Coverage(post=_post("转型之路"), how="title")],
        weight=1.0,
    ),
]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("idea", IDEAS, ids=[i.source for i in IDEAS])
def test_each_topic_idea_reads_as_the_editors_were_given_it(lang: str, idea: TopicIdea) -> None:
    tr = translator(lang)
    shown = idea_texts(idea.model_dump(mode="json"), words(lang))
    assert shown.title == explain.idea_topic(idea, tr)
    assert shown.why == explain.why_text(idea, tr)
    assert shown.evidence == explain.evidence_text(idea, tr)
    assert shown.coverage == explain.coverage_text(idea, tr)
    assert shown.source == explain.source_name(idea, tr)
    assert shown.category == tr.category(idea.category)
    assert shown.covered == bool(idea.covered_by)


def test_a_question_idea_in_chinese() -> None:
    shown = idea_texts(IDEAS[0].model_dump(mode="json"), words("zh-CN"))
    assert shown.title == "集中答疑（个税申报）：“专项附加扣除怎么填”"
    assert shown.source == "客户提问"
    assert "仍有 1 个未得到回复" in shown.why
    assert "《个税汇算要点》已涉及" in shown.coverage


def test_advice_on_the_form_names_its_posts() -> None:
    advice = FormAdvice(
        label="篇幅太长", mentions=3, stance="complaint", posts=[_post("a")], quotes=[]
    )
    data: dict[str, Any] = advice.model_dump(mode="json")
    assert advice_text(data, words("zh-CN")) == explain.advice_text(advice, translator("zh-CN"))


# -- the draft editor ------------------------------------------------------------------
def test_pictures_keep_the_listed_order_and_one_cover() -> None:
    pictures, problems = chosen_pictures(["m3", "m1", "m1"], "m1", known=["m1", "m2", "m3"])
    assert pictures == [
        {"material_id": "m1", "is_cover": True},
        {"material_id": "m3", "is_cover": False},
    ]
    assert problems == []


def test_a_cover_that_is_not_chosen_and_too_many_pictures_are_named() -> None:
    _, problems = chosen_pictures(["m1"], "m2", known=["m1", "m2"])
    assert problems == ["the cover must be one of the chosen pictures"]
    many = [f"m{i}" for i in range(MAX_PICTURES + 1)]
    _, problems = chosen_pictures(many, "", known=many)
    assert problems == [f"at most {MAX_PICTURES} pictures"]
    assert chosen_pictures([], "") == ([], [])


def _revision(number: int, **content: Any) -> Revision:
    base: dict[str, Any] = {
        "title": "个税汇算要点",
        "category": "finance",
        "digest": "",
        "body_html": "<p>第一段。</p><p>第二段。</p><p>第三段。</p>",
        "author": "erin",
    }
    return Revision(
        draft_id="d-1",
        revision=number,
        content=DraftContent(**{**base, **content}),
        by="erin",
        at=NOW,
    )


def test_the_drafting_diff_is_split_into_fields_and_readable_lines() -> None:
    old = _revision(1)
    new = _revision(
        2,
        title="个税汇算要点（修订）",
        body_html="<p>第一段。</p><p>第二段改了。</p><p>第三段。</p>",
        sources=(SourceRef(kind=SourceKind.INTERNAL, name="内部资料"),),
        pictures=(PictureUse(material_id="m-1", is_cover=True),),
    )
    fields = field_diffs(diff_revisions(old, new).diff)
    assert [f.field for f in fields] == ["title", "sources", "pictures", "body_html"]
    title = fields[0]
    assert [(line.kind, line.text) for line in title.lines] == [
        ("removed", "个税汇算要点"),
        ("added", "个税汇算要点（修订）"),
    ]
    body = fields[-1]
    assert ("removed", "第二段。") in [(line.kind, line.text) for line in body.lines]
    assert ("added", "第二段改了。") in [(line.kind, line.text) for line in body.lines]
    assert ("same", "第一段。") in [(line.kind, line.text) for line in body.lines]
    assert (body.added, body.removed) == (1, 1)
    assert fields[2].lines == [fields[2].lines[0]]
    assert (fields[2].lines[0].material_id, fields[2].lines[0].cover) == ("m-1", True)
    assert field_diffs("") == []
