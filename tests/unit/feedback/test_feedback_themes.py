"""Themes: TF-IDF + LSA + k-means over token lists."""

from __future__ import annotations

import itertools
from collections import Counter

from services.feedback.analysis import clean_text, find_themes, tokenize, top_keywords

TOPICS: dict[str, list[str]] = {
    "社保": [
        "请问社保缴纳基数怎么调整",
        "社保断缴一个月有什么影响",
        "异地社保缴纳怎么转移",
        "灵活就业人员社保缴纳标准",
        "公司没有给员工缴纳社保",
        "社保缴费基数每年几月调整",
        "新员工社保从哪个月开始缴纳",
        "社保补缴需要什么材料",
        "医保和社保缴纳比例是多少",
        "离职后社保缴纳怎么处理",
        "社保缴纳记录在哪里查询",
        "社保卡和社保缴纳有什么关系",
        "个人自己缴纳社保划算吗",
        "社保缴纳年限满十五年以后",
        "退休前社保缴纳不够怎么办",
    ],
    "发票": [
        "电子发票可以直接报销吗",
        "发票抬头开错了还能报销吗",
        "差旅费报销需要哪些发票",
        "增值税专用发票报销流程",
        "跨年的发票能不能报销",
        "发票丢失了怎么报销",
        "报销单和发票要一起提交",
        "餐饮发票报销有没有限额",
        "发票报销需要领导签字吗",
        "出租车发票报销怎么贴票",
        "专票和普票报销有什么区别",
        "发票报销多久到账",
        "电子发票重复报销怎么避免",
        "发票报销的截止时间",
        "住宿发票报销标准是多少",
    ],
    "招聘": [
        "招聘面试一般有几轮",
        "面试需要准备什么材料",
        "招聘岗位还缺人吗",
        "二面面试官会问什么",
        "面试结果多久通知",
        "招聘简历投递到哪个邮箱",
        "面试没通过还能再投吗",
        "校园招聘面试时间安排",
        "招聘面试可以线上进行吗",
        "面试着装有什么要求",
        "招聘的试用期多长",
        "群面面试怎么表现更好",
        "招聘网站上的岗位是真实的吗",
        "面试迟到了怎么办",
        "招聘面试的薪资怎么谈",
    ],
}


def _docs(texts: list[str]) -> list[list[str]]:
    return [tokenize(clean_text(t).text) for t in texts]


def test_no_items_make_no_themes() -> None:
    assert find_themes([]) == []
    assert find_themes([[], []]) == []


def test_one_or_two_items_make_one_theme() -> None:
    one = find_themes(_docs(["社保缴纳基数怎么调整"]))
    assert len(one) == 1
    assert one[0].members == (0,)
    assert "社保" in one[0].terms
    two = find_themes(_docs(["社保缴纳基数怎么调整", "发票怎么报销"]))
    assert len(two) == 1
    assert two[0].count == 2


def test_empty_token_lists_join_no_theme() -> None:
    docs = _docs(["社保缴纳基数怎么调整", "[捂脸]", "发票怎么报销", "社保缴纳", "谢谢"])
    members = {m for theme in find_themes(docs) for m in theme.members}
    assert members == {0, 2, 3}


def test_identical_items_do_not_break_clustering() -> None:
    themes = find_themes([["社保", "缴纳"]] * 30)
    assert len(themes) == 1
    assert themes[0].count == 30
    assert len(themes[0].representatives) == 1  # duplicates are quoted once


def test_three_clear_topics_make_three_pure_themes() -> None:
    texts = list(itertools.chain.from_iterable(TOPICS.values()))
    truth = [topic for topic, items in TOPICS.items() for _ in items]
    themes = find_themes(_docs(texts))
    assert len(themes) == 3
    majority = sum(Counter(truth[m] for m in t.members).most_common(1)[0][1] for t in themes)
    purity = majority / len(texts)
    print(f"\ntheme purity on 3 topics: {purity:.3f}; labels: {[t.label for t in themes]}")
    assert purity >= 0.8
    for theme in themes:
        assert set(theme.representatives) <= set(theme.members)
        assert 1 <= len(theme.representatives) <= 3
    assert {"社保", "发票", "招聘"} <= {term for t in themes for term in t.terms} | {
        term for t in themes for term in "".join(t.terms)
    }


def test_themes_are_deterministic() -> None:
    docs = _docs(list(itertools.chain.from_iterable(TOPICS.values())))
    assert find_themes(docs) == find_themes(docs)


def test_large_inputs_are_sampled_and_every_item_assigned() -> None:
    texts = list(itertools.chain.from_iterable(TOPICS.values()))
    docs = _docs(texts) * 200  # 9 000 documents
    themes = find_themes(docs, fit_sample=2000)
    assert sum(t.count for t in themes) == len(docs)
    assert len(themes) >= 3


def test_top_keywords_rank_the_common_terms() -> None:
    keywords = top_keywords(_docs(TOPICS["社保"]), 3)
    assert keywords[0].term == "社保"
    assert top_keywords([]) == []
