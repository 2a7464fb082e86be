"""The core-issues document of #17: asks by intent with their replies, praise and complaints
apart, form complaints as advice; zh-CN first from a gettext catalogue, English available."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest

from services.feedback.analysis import FeedbackItem, FeedbackKind
from services.feedback.digest import (
    CoreIssuesDigest,
    PostInfo,
    build_digest,
    render_docx,
    render_html,
    render_markdown,
)
from services.feedback.digest.i18n import catalogue_ids

START = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
END = START + timedelta(hours=24)
POST = PostInfo(
    post_id="p6",
    title="数电发票全面推广后，企业开票和报销要注意什么",
    category="finance",
    published_at=START,
)
DIGEST_PACKAGE = Path(__file__).resolve().parents[3] / "services" / "feedback" / "digest"
_RAW_KEY_RE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _item(item_id: str, kind: FeedbackKind, text: str, hours: float, **kw: str) -> FeedbackItem:
    return FeedbackItem(
        item_id=item_id,
        kind=kind,
        text=text,
        author=kw.get("author", f"读者{item_id}"),
        received_at=START + timedelta(hours=hours),
        post_id="p6",
        in_reply_to=kw.get("in_reply_to"),
    )


ITEMS = [
    _item("q1", "comment", "开错的数电发票怎么红冲？", 1),
    _item("q2", "comment", "跨月的数电发票还能红冲不", 2),
    _item("q3", "comment", "数电发票打印出来的纸质件能直接报销吗？", 3),
    _item("q4", "comment", "报销时交XML文件还是PDF文件？", 4),
    _item("q5", "comment", "我们是小规模纳税人，也能用数电发票吗", 5),
    _item("r1", "reply", "您好，需先填开红字确认单，对方确认后开具红字发票。", 2, in_reply_to="q1"),
    _item("p1", "comment", "写得很清楚，正好我们下个月切换数电发票，收藏了", 1),
    _item("p2", "comment", "干货，比税局的通知好懂多了", 2),
    _item("c1", "comment", "内容是好内容，就是太长了，手机上翻了半天", 3),
    _item("c2", "comment", "字太多了，建议出个一页纸的要点版", 4),
    _item("c3", "comment", "上周在后台留言问红冲的事，到现在都没人回复", 5),
    _item("c4", "comment", "服务真是周到，留言三天了还没人理", 6),
    _item("s1", "comment", "代 开 各 类 发 票，点数低，V：fp8899", 7),
    _item("k1", "comment", "签约两周了，客户经理也一直没联系我们，麻烦帮忙看下", 8),
]


@pytest.fixture(scope="module")
def digest() -> CoreIssuesDigest:
    return build_digest(POST, ITEMS, [], [], START, END, END + timedelta(minutes=5))


def test_asks_praise_complaints_and_form_advice_are_apart(digest: CoreIssuesDigest) -> None:
    by_stance: dict[str | None, list[str]] = {}
    for t in digest.themes:
        by_stance.setdefault(t.stance, []).append(t.label)
    assert {"ask", "praise", "complaint"} <= set(by_stance)
    form = [t for t in digest.themes if t.about_form]
    assert len(form) == 1
    assert form[0].count == 2
    assert form[0].intent == "推送时间与形式"
    red = next(t for t in digest.themes if any("红冲" in q for q in t.quotes) and t.stance == "ask")
    assert red.count == 2
    assert red.intent == "发票与报销"
    assert digest.headline.spam == 1


def test_questions_carry_their_intent_and_reply_and_a_customer_asking_for_contact_is_kept(
    digest: CoreIssuesDigest,
) -> None:
    by_ref = {q.ref_id: q for q in digest.questions}
    assert by_ref["q1"].reply_text == "您好，需先填开红字确认单，对方确认后开具红字发票。"
    assert by_ref["q1"].intent == "发票与报销"
    assert by_ref["q5"].intent == "开通与账号"
    assert by_ref["q2"].is_open
    assert "s1" not in by_ref
    assert any(c.item_id == "k1" for c in digest.complaints)


def test_zh_cn_document_has_no_english_label_and_no_raw_key(digest: CoreIssuesDigest) -> None:
    page = render_html(digest)
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.DOTALL)
    assert 'lang="zh-CN"' in page
    label_words = {w for m in catalogue_ids("zh-CN") for w in re.findall(r"[A-Za-z]{3,}", m)}
    assert label_words & set(re.findall(r"[A-Za-z]{3,}", text)) == set()
    assert _RAW_KEY_RE.findall(text) == []
    for label in (
        "三、客户提问（按意图）及回复",
        "四、客户表扬",
        "六、推送形式改进建议",
        "发票与报销",
    ):
        assert label in text
    assert "第 " not in text  # page numbers belong to the Word file only


def test_english_is_available_from_the_same_sections(digest: CoreIssuesDigest) -> None:
    page = render_html(digest, "en")
    assert 'lang="en"' in page
    assert "1. Key figures" in page
    assert "一、核心数据" not in page
    assert render_markdown(digest, "en").startswith("# “Core issues of the feedback on a push”")
    with pytest.raises(ValueError, match="unsupported"):
        render_html(digest, "fr")  # type: ignore[arg-type]


def test_every_message_of_code_and_templates_is_translated_to_chinese() -> None:
    from babel.messages.extract import extract_from_dir

    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(DIGEST_PACKAGE),
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    catalogue = catalogue_ids("zh-CN")
    assert len(found) > 50
    missing = sorted(m for m in found if not catalogue.get(str(m)))
    assert missing == []
    for english, chinese in catalogue.items():
        assert sorted(re.findall(r"\{[^}]*\}", english)) == sorted(
            re.findall(r"\{[^}]*\}", chinese)
        )


def test_docx_has_header_footer_and_page_numbers(digest: CoreIssuesDigest) -> None:
    from docx import Document

    document = Document(BytesIO(render_docx(digest)))
    section = document.sections[0]
    assert "推送反馈核心问题汇总" in section.header.paragraphs[0].text
    assert POST.title in section.header.paragraphs[0].text
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml
    assert "NUMPAGES" in footer_xml
    assert "第 " in section.footer.paragraphs[0].text
    assert section.page_width is not None
    assert abs(section.page_width.mm - 210) < 1
