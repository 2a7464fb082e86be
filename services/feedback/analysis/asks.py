"""Questions and requests that need a reply (#17), on top of the rules of :mod:`.questions`.

A clause is a question when it ends in ？ or in 吗/么/呢, when it holds an interrogative
word (怎么, 多少, 几轮 …) or an A-not-A form (认不认, 算不算 — any verb), when it ends
in 不/没 after a modal or verb (还能红冲不, 有优惠没), or when it weighs A against B
(是线上还是线下). It is not one when it is rhetorical (有意思吗？ 有什么关系？ 还要…干嘛？
早干嘛去了, 是不是太…了, a one-word echo such as "回暖？" before a statement), when the
question word sits in a statement (不知道为什么…, 我也不知道怎么…), or when 能不能 opens a
suggestion (能不能别…, 能不能做个图表版).

A *request* (请联系我, 麻烦帮忙看下, 希望…联系我们) is not a question but still wants a
reply; :func:`detect_request` finds it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .questions import QuestionVerdict, detect_question

__all__ = ["detect_ask", "detect_request"]

_CLAUSE_SPLIT_RE = re.compile(r"(?<=[。!?;；\n…~～])|[,，、]")
_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")

_RHETORICAL_RE = re.compile(
    r"有意思吗|有什么关系|有啥关系|关我什么事|还要.{0,8}干嘛|干嘛去了|早干嘛"
    r"|是不是太.{1,6}了|有什么好(说|看|怕|解释)的|好意思吗|有必要吗|说得轻巧|你说呢"
    r"|难道|何必|岂不|凭什么|怎么可能|哪有这么|谁不知道"
)
# A question word inside a statement: 不知道为什么…, 我也不知道怎么填.
_EMBEDDED_RE = re.compile(
    r"(不知道|不清楚|不晓得|不明白|搞不懂|都问|问我|想知道的是)(是)?"
    r"(为什么|为啥|怎么|什么时候|什么|哪|如何|多少)"
)
# 能不能 opening a suggestion about the post, not a question.
_SUGGESTION_RE = re.compile(
    r"(能不能|可不可以|可以|能)(别|不要|少|多|做个|出个|出一|举|改|换|固定|提前|早点|精简|简短)"
)
_A_NOT_A_RE = re.compile(r"([\u4e00-\u9fff])不\1")
_TAIL_BU_RE = re.compile(
    r"(能|可以|可|要|会|有|是|用|算|行|需要|还能|还要|交|参加|代办|报销|开|认|扣)"
    r"[\u4e00-\u9fffA-Za-z0-9]{0,16}(不|没)$"
)
_NOT_TAIL_RE = re.compile(r"(也|都|还|并|从|就|再|可|又)(不|没)$")
_EITHER_OR_RE = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{1,14}还是(?!没|不|很|挺|有点|那样)[\u4e00-\u9fffA-Za-z]{1,14}"
)
_HOW_MANY_RE = re.compile(r"(?<![好这那前没头过十])几(轮|门|个|人|年|次|天|号|点|月|种|步|家|位)")
_RECOMMEND_RE = re.compile(
    r"有(什么|没有|啥)(好的|好用的|推荐的)?.{0,8}(办法|方法|工具|建议|推荐|渠道)"
)
_REQUEST_RE = re.compile(
    r"(请|麻烦|劳烦|希望|方便的话|尽快|帮忙|帮我|烦请).{0,10}(联系|回复|回电|处理|看下|看一下|跟进|解决|安排)"
    r"|(联系|回电|回复)(我|我们)一下"
)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT_RE.split(text) if _WORD_RE.search(c or "")]


def _asks(clause: str) -> str | None:
    """Why a clause (not rhetorical) is a question, or None."""
    body = clause.rstrip("?!。.~～…;； ")
    if _A_NOT_A_RE.search(body):
        return "正反问“A不A”"
    if _TAIL_BU_RE.search(body) and not _NOT_TAIL_RE.search(body):
        return "句末“不/没”的是非问"
    if _EITHER_OR_RE.search(body) and not body.startswith("还是"):
        return "选择问“A还是B”"
    if _HOW_MANY_RE.search(body):
        return "疑问词“几…”"
    if _RECOMMEND_RE.search(body) and clause.endswith(("吗", "?")):
        return "求推荐“有什么好的…吗”"
    return None


@lru_cache(maxsize=1 << 14)
def _clause_asks(clause: str) -> QuestionVerdict | None:
    """The verdict of a clause that asks, or None. Cached: many comments share a clause."""
    if _EMBEDDED_RE.search(clause) and "?" not in clause and not clause.endswith("吗"):
        return None
    reason = _asks(clause)
    if reason:
        return QuestionVerdict(True, reason, "interrogative")
    verdict = detect_question(clause)
    return verdict if verdict.is_question else None


def detect_ask(text: str) -> QuestionVerdict:
    """Whether a clean text asks a question that needs a reply, and why."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)  # ？ → ?, as clean_text does
    clauses = _clauses(text)
    if not clauses:
        return QuestionVerdict(False, "无文字内容", "empty")
    rhetorical = _RHETORICAL_RE.search(text)
    if rhetorical:
        return QuestionVerdict(False, f"反问句式“{rhetorical.group(0)}”，不需答复", "rhetorical")
    if _SUGGESTION_RE.search(text):
        return QuestionVerdict(False, "建议（能不能…），不是提问", "rhetorical")
    first = clauses[0].rstrip("?!。.~～… ")
    if len(clauses) > 1 and len(first) <= 3 and clauses[0].endswith("?"):
        return QuestionVerdict(False, f"反问“{first}？”后接陈述", "rhetorical")
    for clause in clauses:
        verdict = _clause_asks(clause)
        if verdict is not None:
            return verdict
    return QuestionVerdict(False, "无疑问标志", "none")


def detect_request(text: str) -> str | None:
    """The words by which a clean text asks us to act (请联系我, 麻烦帮忙看下), if any."""
    found = _REQUEST_RE.search(text)
    return found.group(0) if found else None
