"""The analysis of #17: stance, intent, meaning groups, polarity, questions and spam."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from services.feedback.analysis import (
    analyse_feedback,
    detect_ad,
    detect_ask,
    load_domain_terms,
    load_taxonomy,
    score_polarity,
    segment,
    unfold,
)
from services.feedback.analysis.taxonomy import parse_taxonomy

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "tests" / "data" / "insight" / "comments.jsonl"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_insight", ROOT / "bench" / "insight.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_domain_terms_are_never_split() -> None:
    terms = load_domain_terms()
    assert {"数电发票", "社保基数", "管培生"} <= set(terms)
    for term in terms:
        assert term in segment(f"关于{term}的问题"), term


@pytest.mark.parametrize(
    "text",
    [
        "跨月的数电发票还能红冲不",
        "财税和人事打包办理有优惠没",
        "数电发票上没有发票专用章，财务那边认不认",
        "笔试是线上还是线下",
        "面试一共有几轮",
        "有什么好的催收办法吗？",
    ],
)
def test_yes_no_either_or_and_open_questions_are_questions(text: str) -> None:
    assert detect_ask(text).is_question, detect_ask(text)


@pytest.mark.parametrize(
    "text",
    [
        "涨价就说涨价，包装成升级有意思吗？",
        "这和我们做内贸的有什么关系？",
        "面谈有用的话还要绩效干嘛？",
        "回暖？我们这行一点感觉都没有",
        "不知道什么时候才能真正回暖",
        "老板每个月都问为什么利润少了，我也不知道为什么",
        "能不能别每篇都写这么长",
        "网申页面一直提交失败，试了好几次了",
    ],
)
def test_rhetorical_embedded_and_suggestions_are_not_questions(text: str) -> None:
    assert not detect_ask(text).is_question, detect_ask(text)


def test_spaced_and_hidden_contacts_are_unfolded_and_caught() -> None:
    assert unfold("代 开 各 类 发 票") == "代开各类发票"
    assert "18812345678" in unfold("联 系 我 一 八 八 一 二 三 四 五 六 七 八")
    for ad in (
        "代 开 各 类 发 票，点数低，V：fp8899",
        "需要票的找我，各行业都能开，扣扣 3 9 8 2 1 7 6 5 0",
        "专业背景调查，三天出报告，电话 1 3 6 - 1 1 1 1 - 2 2 2 2",
        "行业研究报告免费领取，点击 www.report-free.top",
    ):
        assert detect_ad(ad).is_spam, ad


@pytest.mark.parametrize(
    "text",
    [
        "签约两周了，客户经理也一直没联系我们，麻烦帮忙看下",
        "页面打开就报错，麻烦技术看一下，请联系我 138 0013 8000",
        "方便的话请联系我一下，想了解社保代缴服务，电话 139 0000 1234",
        "HR说会联系我，到现在也没消息",
    ],
)
def test_a_customer_asking_to_be_contacted_is_never_spam(text: str) -> None:
    assert not detect_ad(text).is_spam, detect_ad(text)


def test_sarcasm_contrast_and_negation_decide_polarity() -> None:
    assert score_polarity("开通速度真是高效，等了十天还在审核中").label == "negative"
    assert score_polarity("内容是好内容，就是太长了，手机上翻了半天").label == "negative"
    assert score_polarity("一站式是方便，但是价格比单项加起来还贵").label == "negative"
    assert score_polarity("写得很清楚，正好下个月用上，收藏了").label == "positive"
    assert score_polarity("讲得不清楚").label == "negative"
    assert score_polarity("数电发票怎么开通？", is_question=True).label == "neutral"


def test_asks_praise_and_complaints_are_grouped_apart_and_named_from_their_texts() -> None:
    texts = [
        "开错的数电发票怎么红冲？",
        "跨月的数电发票还能红冲不",
        "数电发票打印出来能直接报销吗？",
        "报销时交XML文件还是PDF文件？",
        "写得很清楚，收藏了",
        "干货，比通知好懂多了",
        "文章太长了，手机上看得眼花",
        "字太多了，建议出个要点版",
        "代 开 各 类 发 票，V：fp8899",
    ]
    result = analyse_feedback(texts)
    by_member = {m: g for g in result.groups for m in g.members}
    assert 8 not in by_member
    assert result.items[8].spam.is_spam
    assert by_member[0] is by_member[1]
    assert by_member[2] is by_member[3]
    assert by_member[0] is not by_member[2]
    assert {by_member[0].stance, by_member[4].stance, by_member[6].stance} == {
        "ask",
        "praise",
        "complaint",
    }
    assert by_member[0].intent == by_member[2].intent == "发票与报销"
    form = by_member[6]
    assert form is by_member[7]
    assert form.about_form
    assert form.intent == "推送时间与形式"
    for group in result.groups:
        assert any(group.label.rstrip("…") in texts[m] for m in group.members), group.label


def test_taxonomy_is_editable_text_and_rejects_a_facet_outside_an_intent() -> None:
    intents = parse_taxonomy(
        ["[发票与报销]", "红冲与作废: 红冲 作废", "[推送时间与形式] form", "诉/篇幅: 太长"]
    )
    assert [i.name for i in intents] == ["发票与报销", "推送时间与形式"]
    assert intents[1].about_form
    assert intents[1].facets[0].use == "complaint"
    with pytest.raises(ValueError, match="outside"):
        parse_taxonomy(["红冲: 红冲"])
    names = {i.name for i in load_taxonomy()}
    assert {"开通与账号", "发票与报销", "社保与人事", "推送时间与形式"} <= names


def test_labelled_set_is_large_split_and_covers_every_kind() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 300
    assert {r["split"] for r in rows} == {"dev", "holdout"}
    dev_posts = {r["post"] for r in rows if r["split"] == "dev"}
    assert dev_posts.isdisjoint({r["post"] for r in rows if r["split"] == "holdout"})
    assert sum(r["is_spam"] for r in rows) >= 30
    assert any(r["text"].endswith("不") and r["is_question"] for r in rows)
    assert any("联系" in r["text"] and not r["is_spam"] for r in rows)


def test_bench_figures_meet_the_goals_on_dev_and_hold_on_the_held_out_half() -> None:
    bench = _bench()
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]
    dev = bench.evaluate([r for r in rows if r["split"] == "dev"], bench.insight, False)
    held = bench.evaluate([r for r in rows if r["split"] == "holdout"], bench.insight, False)
    before = bench.evaluate([r for r in rows if r["split"] == "holdout"], bench.today, False)
    for name, goal in bench.GOALS.items():
        assert dev[name] >= goal, (name, dev)
    # Held out: never a customer dropped, questions at goal; grouping and polarity are
    # below goal there (see the closing note) but far above today's method.
    floors = {"spam_p": 0.98, "question_f1": 0.95, "purity": 0.8, "ari": 0.55, "polarity": 0.85}
    assert {k: held[k] for k in floors if held[k] < floors[k]} == {}, held
    assert held["ari"] > before["ari"] + 0.4, (held, before)
    assert held["polarity"] > before["polarity"] + 0.15, (held, before)
