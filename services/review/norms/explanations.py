"""One-line explanations, in Chinese, that tell a reviewer what was found and what to do."""

from __future__ import annotations

from services.review.norms.findings import Category, Severity
from services.review.norms.lexicon import Term
from services.review.norms.normalise import Evasion

__all__ = ["CATEGORY_LABELS", "explain_personal_data", "explain_term"]

CATEGORY_LABELS: dict[Category, str] = {
    Category.POLITICAL: "政治敏感/违法内容",
    Category.SEXUAL: "色情/性暗示",
    Category.GAMBLING_VIOLENCE: "赌博/暴力/恐怖/教唆犯罪",
    Category.RUMOUR: "谣言/夸大标题",
    Category.SPAM: "骚扰/垃圾广告",
    Category.PRIVACY: "他人隐私/个人信息",
    Category.CONFIDENTIAL: "公司未公开信息/内幕信息",
}

_EVASION_LABELS = (
    (Evasion.FULLWIDTH, "全角字符"),
    (Evasion.CASE, "大小写变换"),
    (Evasion.TRADITIONAL, "繁体字"),
    (Evasion.SEPARATOR, "插入分隔符/符号"),
    (Evasion.ZERO_WIDTH, "插入零宽字符"),
)

_ACTIONS = {
    Severity.BLOCK: "不得发布，请删除或改写",
    Severity.WARN: "请人工核实后再决定是否发布",
}


def _evasion_text(evasion: Evasion) -> str:
    labels = [label for flag, label in _EVASION_LABELS if evasion & flag]
    return f"（疑似规避写法：{'、'.join(labels)}）" if labels else ""


def explain_term(term: Term, evasion: Evasion) -> str:
    """E.g. ``赌博/暴力/恐怖/教唆犯罪：命中词条「网赌」（疑似规避写法：繁体字），不得发布…``."""
    note = f"（{term.note}）" if term.note else ""
    return (
        f"{CATEGORY_LABELS[term.category]}：命中词条「{term.text}」{note}"
        f"{_evasion_text(evasion)}，{_ACTIONS[term.severity]}。"
    )


def explain_personal_data(
    category: Category, what: str, severity: Severity, evasion: Evasion, advice: str
) -> str:
    """E.g. ``他人隐私/个人信息：疑似手机号码，…``; ``advice`` says what to do instead."""
    return (
        f"{CATEGORY_LABELS[category]}：疑似{what}{_evasion_text(evasion)}，"
        f"{_ACTIONS[severity]}；{advice}。"
    )
