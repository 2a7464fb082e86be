"""Question rules (with reasons) and the lexicon sentiment score."""

from __future__ import annotations

import pytest

from services.feedback.analysis import clean_text, detect_question, score_sentiment


def _q(text: str) -> bool:
    return detect_question(clean_text(text).text).is_question


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("社保基数怎么调整？", "question_mark"),
        ("电子发票可以直接报销吗", "final_particle"),
        ("发票抬头开错了还能报销么", "final_particle"),
        ("小规模纳税人呢", "final_particle"),
        ("专项附加扣除怎么填", "interrogative"),
        ("面试一般要准备哪些材料", "interrogative"),
        ("个税退税一般几天到账", "interrogative"),
        ("灵活就业人员能不能自己交社保", "interrogative"),
        ("入职体检有没有要求", "interrogative"),
        ("年终奖是否单独计税", "interrogative"),
        ("请问企业管理咨询的收费", "interrogative"),
        ("加班费是按什么标准算的", "interrogative"),
    ],
)
def test_questions_are_found_with_their_rule(text: str, rule: str) -> None:
    verdict = detect_question(clean_text(text).text)
    assert verdict.is_question
    assert verdict.rule == rule
    assert verdict.reason


@pytest.mark.parametrize(
    "text",
    [
        "没什么问题，讲得挺好",
        "什么都讲清楚了",
        "说什么也要转给老板看",
        "看完才知道什么叫专业",
        "这几天一直在研究汇算清缴",
        "好几个同事都在问这个",
        "不怎么关注这个话题",
        "无论如何都要按时申报",
        "我还在等呢",
        "要么交社保要么交罚款",
    ],
)
def test_statements_with_question_words_are_not_questions(text: str) -> None:
    assert not _q(text)


@pytest.mark.parametrize(
    "text",
    [
        "难道就没人管管吗？",
        "你们不是说三天之内办好吗",
        "这种文章有什么用",
        "何必搞得这么复杂，简单点不行吗",
        "岂不是白交了这么多年社保",
        "谁知道呢",
        "凭什么多收我服务费",
        "不就是想多收钱吗",
    ],
)
def test_rhetorical_questions_need_no_reply(text: str) -> None:
    verdict = detect_question(clean_text(text).text)
    assert not verdict.is_question
    assert verdict.rule == "rhetorical"
    assert "反问" in verdict.reason


def test_a_real_question_after_a_rhetorical_one_counts() -> None:
    assert _q("难道就没人管吗？请问找谁投诉")


def test_是不是_is_not_taken_for_rhetorical_不是() -> None:
    assert _q("简历投了一周没消息，是不是没通过")


def test_empty_and_punctuation_only_texts_are_not_questions() -> None:
    assert detect_question("").rule == "empty"
    assert not _q("？？？")
    assert not _q("[捂脸]")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这篇文章很有帮助", "positive"),
        ("不是很满意", "negative"),
        ("不满意", "negative"),
        ("不差", "positive"),
        ("客服太慢了，一直没人回复", "negative"),
        ("请问社保怎么交？", "neutral"),
        ("有没有好的办法？", "neutral"),
        ("麻烦问一下发票怎么开", "neutral"),
        ("[强]", "positive"),
        ("[流泪][流泪]", "negative"),
        ("👎", "negative"),
        ("寫得真好", "positive"),
    ],
)
def test_sentiment_labels(text: str, label: str) -> None:
    assert score_sentiment(text).label == label


def test_degree_adverbs_strengthen_and_negation_flips() -> None:
    plain = score_sentiment("满意").score
    assert score_sentiment("非常满意").score > plain > 0
    assert score_sentiment("不满意").score < 0
    assert score_sentiment("很差").score < score_sentiment("差").score < 0


def test_sentiment_shows_its_hits() -> None:
    result = score_sentiment("非常实用[强]")
    assert any("实用" in hit for hit in result.hits)
    assert "[强]+" in result.hits


def test_a_clause_break_ends_negation() -> None:
    assert score_sentiment("不说了，很好").label == "positive"
