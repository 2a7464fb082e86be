"""One-line explanations, in Chinese, that tell a reviewer what was found and what to do."""

from __future__ import annotations

from services.review.norms.evasion import Evasion
from services.review.norms.findings import Category, Severity
from services.review.norms.lexicon import Term
from services.review.norms.normalise import Substitution

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
    (Evasion.SUBSTITUTE, "谐音/形近替代"),
)

_ACTIONS = {
    Severity.BLOCK: "不得发布，请删除或改写",
    Severity.WARN: "请人工核实后再决定是否发布",
}


def _evasion_text(
    evasion: Evasion, substitutions: tuple[Substitution, ...] = (), span: tuple[int, int] = (0, 0)
) -> str:
    labels = [label for flag, label in _EVASION_LABELS if evasion & flag]
    if not labels:
        return ""
    details = "".join(f"「{s.variant}」→「{s.canonical}」" for s in substitutions)
    start, end = span
    where = f"；原文第 {start + 1}–{end} 字" if substitutions else ""
    return f"（疑似规避写法：{'、'.join(labels)}{details}{where}）"


def explain_term(
    term: Term,
    evasion: Evasion,
    *,
    substitutions: tuple[Substitution, ...] = (),
    span: tuple[int, int] = (0, 0),
    cue: str | None = None,
    promotion: str | None = None,
) -> str:
    """E.g. ``赌博/暴力/恐怖/教唆犯罪：命中词条「网赌」（疑似规避写法：繁体字），不得发布…``.

    ``cue`` is the condemning word of the sentence (``反对``): without ``promotion`` the
    term is judged condemned and the explanation says it is a warning; with one, it says
    why it still blocks. ``substitutions`` and ``span`` (original offsets) name the
    look-alikes that were read as their standard spelling.
    """
    note = f"（{term.note}）" if term.note else ""
    found = (
        f"{CATEGORY_LABELS[term.category]}：命中词条「{term.text}」{note}"
        f"{_evasion_text(evasion, substitutions, span)}"
    )
    if cue is not None and promotion is None:
        return (
            f"{found}，但所在句子是反对/警示语境（「{cue}」），句中没有推广用语，"
            f"按提醒处理：请人工确认是谴责或警示内容后再发布。"
        )
    if cue is not None:
        return (
            f"{found}；句中虽有「{cue}」，但同时出现推广用语「{promotion}」，"
            f"{_ACTIONS[Severity.BLOCK]}。"
        )
    return f"{found}，{_ACTIONS[term.severity]}。"


def explain_personal_data(
    category: Category,
    what: str,
    severity: Severity,
    evasion: Evasion,
    advice: str,
    *,
    substitutions: tuple[Substitution, ...] = (),
    span: tuple[int, int] = (0, 0),
) -> str:
    """E.g. ``他人隐私/个人信息：疑似手机号码，…``; ``advice`` says what to do instead."""
    return (
        f"{CATEGORY_LABELS[category]}：疑似{what}{_evasion_text(evasion, substitutions, span)}，"
        f"{_ACTIONS[severity]}；{advice}。"
    )
