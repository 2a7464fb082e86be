"""General rules of the analysis (#17) added after the dev half's errors: made-up texts,
none from the labelled set."""

from __future__ import annotations

import pytest

from services.feedback.analysis import analyse_feedback, match_facet, score_polarity


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # thanks closing a request is courtesy, the fact before it decides
        ("客服电话一直占线，麻烦尽快回电，谢谢", "negative"),
        ("请帮忙查一下我们的开通进度，谢谢", "neutral"),
        # thanks on its own is still praise
        ("讲得很清楚，谢谢", "positive"),
        # 再也不用… is relief, 再也不看 a threat
        ("再也不用来回跑税务局了，赞", "positive"),
        ("天天推广告，再也不看了", "negative"),
        # sarcasm: praise beside a fact of waiting
        ("客服真是太热情了，一直没人接", "negative"),
        ("审批可真方便，第三次提交了还没过", "negative"),
        # everyday attitude words beyond the lexicons
        ("写了一大堆，没什么用", "negative"),
        ("又是老生常谈，凑字数", "negative"),
        ("讲得一针见血，受教了", "positive"),
        ("条理清晰，接地气", "positive"),
    ],
)
def test_polarity_rules(text: str, label: str) -> None:
    assert score_polarity(text).label == label, score_polarity(text)


def test_a_complaint_is_grouped_by_what_is_wrong_not_the_topic_it_mentions() -> None:
    text = "会员账号打不开"
    as_complaint = match_facet(text, "complaint")
    assert as_complaint is not None
    assert as_complaint.facet.name == "系统故障"
    # asked, the same words are about the account
    as_ask = match_facet(text, "ask")
    assert as_ask is not None
    assert as_ask.facet.name == "开通与账号"


def test_failures_mentioning_an_account_group_with_other_failures() -> None:
    texts = [
        "登录一直报错，急死了",
        "页面打不开，折腾了一上午",
        "会员账号打不开，太耽误事了",
    ]
    result = analyse_feedback(texts)
    assert [i.stance for i in result.items] == ["complaint"] * 3
    assert len(result.groups) == 1
    assert result.groups[0].facet == "系统故障"


def test_a_question_is_about_what_it_names_last_when_keywords_tie() -> None:
    # 流程 (流程梳理) and 工具 (系统选型) weigh the same: the tool is what is asked for
    match = match_facet("有没有好用的流程管理工具推荐", "ask")
    assert match is not None
    assert match.facet.name == "系统选型"
    # the same words stated as a complaint keep the order of the taxonomy
    complaint = match_facet("流程管理工具太难用", "complaint")
    assert complaint is not None
    assert complaint.facet.name == "流程梳理"


def test_a_statement_naming_what_goes_wrong_is_a_complaint() -> None:
    result = analyse_feedback(["小程序一直在加载", "我们公司在上海"])
    failure, remark = result.items
    assert failure.polarity.label == "negative"
    assert failure.stance == "complaint"
    assert failure.facet == "系统故障"
    # a plain remark stays neutral
    assert remark.polarity.label == "neutral"
    assert remark.stance == "other"


def test_jargon_is_not_praise() -> None:
    item = analyse_feedback(["通篇都是专业名词"]).items[0]
    assert item.polarity.label == "negative"
    assert item.stance == "complaint"
