"""What the digest's speed-ups (#15) must not change: jieba's words, the question
verdicts, and the counted and listed questions of a large window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback.analysis import (
    FeedbackItem,
    clear_caches,
    detect_ask,
    detect_question,
    load_stopwords,
    tokenize,
)
from services.feedback.analysis.tokens import _USEFUL_RE, _get_tokenizer
from services.feedback.digest import PostInfo, build_digest

START = datetime(2024, 5, 6, 3, 30, tzinfo=UTC)
POST = PostInfo(post_id="p1", title="个税汇算清缴全攻略", category="finance", published_at=START)

TEXTS = [
    "数电发票怎么开通？要去办税大厅吗？",
    "我们公司有1234名员工，社保缴费基数怎么调整",
    "请问 App 登录报错 E1024，iOS17.2 版本还能用吗",
    "代 开 发 票 V：fp8899\r\n联系 13812345678",
    "开通速度真是高效，等了十天还在审核中…呵呵",
    "管培生 面试几轮？是线上还是线下",
    "a-b #c&d 12.5% x_y.z 社保基数、数电发票;灵活就业",
    "   ",
    "",
    "写得很好👍学到了[强]",
]


def _jieba_words(text: str) -> list[str]:
    """The content words as jieba's whole-text ``lcut`` gives them (the old way)."""
    stop = load_stopwords()
    words: list[str] = [w.strip().lower() for w in _get_tokenizer().lcut(text)] if text else []
    return [w for w in words if len(w) >= 2 and w not in stop and _USEFUL_RE.search(w)]


@pytest.mark.parametrize("text", TEXTS)
def test_tokenize_block_by_block_gives_jiebas_words(text: str) -> None:
    clear_caches()
    cold = tokenize(text)
    assert cold == _jieba_words(text)
    assert tokenize(text) == cold  # from the cache


def test_shared_blocks_are_cut_as_in_their_own_text() -> None:
    clear_caches()
    first = tokenize("社保缴费基数怎么调整")
    second = tokenize("老师好，社保缴费基数怎么调整")
    assert second[-len(first) :] == first
    assert second == _jieba_words("老师好，社保缴费基数怎么调整")


@pytest.mark.parametrize(
    "text",
    [
        "还能红冲不",
        "不知道为什么登录不上",
        "有意思吗？天天发这种",
        "回暖？我看未必，成本还在涨",
        "是线上还是线下，几轮面试？",
        "难道不是你们的问题吗",
        "小规模纳税人呢？",
    ],
)
def test_cached_clause_verdicts_equal_fresh_ones(text: str) -> None:
    clear_caches()
    ask, question = detect_ask(text), detect_question(text)
    assert detect_ask(text) == ask
    assert detect_question(text) == question
    clear_caches()
    assert detect_ask(text) == ask


def test_a_large_window_counts_every_question_and_lists_the_most_urgent() -> None:
    n = 400
    items = [
        FeedbackItem(
            f"c{i}",
            "comment",
            f"请问第{i}号发票怎么红冲？",
            f"user{i}",
            START + timedelta(minutes=i),
            "p1",
        )
        for i in range(n)
    ]
    # every other question answered within the hour, the rest left open
    items += [
        FeedbackItem(
            f"r{i}",
            "reply",
            "您好，已为您处理。",
            "运营小王",
            START + timedelta(minutes=i + 30),
            "p1",
            in_reply_to=f"c{i}",
        )
        for i in range(0, n, 2)
    ]
    end = START + timedelta(hours=24)
    digest = build_digest(POST, items, [], [], START, end, end, max_questions=50)
    h = digest.headline
    assert digest.questions_total == h.enquiries == h.detected_questions == n
    assert (h.answered, h.open, h.breached) == (n // 2, n // 2, n // 2)
    assert len(digest.questions) == 50
    # open questions over the limit first, oldest first; the text is shown as quoted
    assert all(q.is_open and q.breached for q in digest.questions)
    assert [q.ref_id for q in digest.questions] == [f"c{i}" for i in range(1, 100, 2)]
    assert digest.questions[0].text == "请问第1号发票怎么红冲？"
    assert digest.questions[0].time_to_reply is None


def test_the_collector_paused_during_the_analysis_is_left_as_it_was() -> None:
    import gc

    from services.feedback.analysis import analyse_feedback

    assert gc.isenabled()
    analyse_feedback(["请问怎么开通？", "写得很好"])
    assert gc.isenabled()
    gc.disable()
    try:
        analyse_feedback(["请问怎么开通？"])
        assert not gc.isenabled()
    finally:
        gc.enable()
