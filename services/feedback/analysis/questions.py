"""Rule-based detection of questions that need a reply, with the reason shown.

A text is split into clauses; each clause is checked in this order:

1. rhetorical forms (难道…吗, 何必, 岂不是, 不是…吗, 谁知道呢, 有什么用, 凭什么 …) make the
   clause *not* a question, whatever its punctuation;
2. a question mark ``?`` (full-width ``？`` becomes ``?`` under NFKC);
3. a sentence-final particle 吗 / 么 (but not the 么 of 什么, 怎么, 这么 …) / 呢 (呢 only in
   a short "X呢?" clause or together with an interrogative word);
4. an interrogative word or an A-not-A form (怎么, 如何, 为什么, 哪里, 多少, 几号, 是否,
   能不能, 有没有, 请问 …), with its non-question uses excluded (不怎么, 无论如何, 没什么 …).

The first clause that is a question decides; otherwise a rhetorical clause, if any, is
reported so the reader sees why the text was not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["QuestionRule", "QuestionVerdict", "detect_question"]

QuestionRule = Literal[
    "question_mark", "final_particle", "interrogative", "rhetorical", "none", "empty"
]


@dataclass(frozen=True, slots=True)
class QuestionVerdict:
    """Whether a text asks something that needs a reply, and which rule decided."""

    is_question: bool
    reason: str
    rule: QuestionRule


# Clauses whose verdicts are kept (a clause's verdict depends on the clause alone).
CLAUSE_CACHE = 1 << 14

_CLAUSE_SPLIT_RE = re.compile(r"(?<=[。!?;；\n…~～])|[,，、]")
_CJK_OR_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")

# (pattern, label) — checked on each clause; a match means "rhetorical, not a question".
_RHETORICAL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), label)
    for p, label in (
        (r"难道", "难道…"),
        (r"何必|何苦|何须|何尝|何况", "何必/何苦"),
        (r"岂不|岂能|岂有此理", "岂不是"),
        (r"(?<!是)(?<!还)不是.{0,12}(吗|(?<![什怎这那多要])么|嘛)", "不是…吗"),
        (r"不就.{0,12}(吗|(?<![什怎这那多要])么|嘛)", "不就…吗"),
        (r"谁知道呢|天知道|鬼知道", "谁知道呢"),
        (r"有什么用|有啥用|有什么好(说|看|怕|奇怪|解释|的)|有什么意思", "有什么用"),
        (r"凭什么|搞什么|干什么吃|什么玩意|什么鬼|算什么", "凭什么/什么玩意"),
        (r"怎么可能|怎么会这样|哪有这样|哪有这么|哪能", "怎么可能"),
        (r"说了多少(次|遍)", "说了多少次"),
        (r"怎么(这么|那么)|为什么(这么|那么|总是|老是)", "怎么这么…(抱怨)"),
        (r"还用(问|说)|谁不(知道|想|会)|能不.{1,4}吗", "还用问/能不…吗"),
        (r"有必要吗|有意思吗|好意思吗|你说呢", "有必要吗"),
    )
)

# Non-question uses of interrogative words, removed before looking for interrogatives.
_NOT_INTERROGATIVE_RE = re.compile(
    r"(没|没有|不|无|不管|无论|管他|说)什么|什么(都|也)|不怎么|怎么(都|也)|无论如何|不管如何"
    r"|哪里哪里|或多或少|多少(有|也|会|还)|(这|那|前|好|过了|最近|近|没|头)几|几乎|几天前"
    r"|不几|(?<!不)知道什么|多少(次|遍|回)了"
)

_INTERROGATIVE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), label)
    for p, label in (
        (r"请问|想问|问一下|问下|请教|咨询一下|想咨询|想了解一下", "请问/想问"),
        (r"为什么|为啥|为何|干嘛", "为什么"),
        (r"怎么|怎样|咋", "怎么"),
        (r"如何", "如何"),
        (r"哪里|哪儿|哪个|哪些|哪家|哪种|哪天|哪一|去哪|在哪", "哪里/哪个"),
        (r"多少|多久|多长时间|多大", "多少/多久"),
        (r"几(号|点|月|时|种|步|个|天|年|次|岁|家|位|个工作日)", "几…"),
        (r"是否|能否|可否|有无", "是否"),
        (
            r"(能|会|要|是|行|对|好|该|用|够|需)不\1|可不可以|有没有|需不需要",
            "能不能/有没有(正反问)",
        ),
        (
            r"什么时候|什么意思|什么条件|什么材料|什么区别|什么情况|什么流程|什么手续"
            r"|(是|需要|要|用|选|带|交|填|有|叫|做|按)什么|什么(是|叫)"
            r"|什么(标准|时间|地方|原因|要求|资料|文件|证件|部门|岗位|职位|内容|样)",
            "什么…",
        ),
        (r"谁(能|可以|负责|来|知道怎么)", "谁…"),
    )
)

_DECLARATIVE_NE_RE = re.compile(r"[在着正还挺呗]|已经|了")

# 么 is a question particle only when it is not the tail of one of these words.
_ME_WORDS = ("什么", "怎么", "这么", "那么", "多么", "要么", "干么")


def _final_particle(clause: str) -> str | None:
    """The sentence-final question particle of a clause (punctuation stripped), if any."""
    body = clause.rstrip("?!。.~～…;； ")
    if not body:
        return None
    last = body[-1]
    if last in "啊呀哦啦" and len(body) >= 2:
        body, last = body[:-1], body[-2]
    if last == "吗":
        return "吗"
    if last == "么" and not any(body.endswith(w) for w in _ME_WORDS):
        return "么"
    if last == "呢":
        return "呢"
    return None


def _short_topic_question(clause: str) -> bool:
    """ "小规模纳税人呢?" asks about a topic; "我还在等呢" only states something."""
    body = clause.rstrip("?!。.~～… ")
    return len(body) <= 10 and _DECLARATIVE_NE_RE.search(body) is None


def _interrogative(clause: str) -> str | None:
    stripped = _NOT_INTERROGATIVE_RE.sub("", clause)
    for pattern, label in _INTERROGATIVE:
        if pattern.search(stripped):
            return label
    return None


# Any rhetorical form: one search rules out the common clause that has none.
_ANY_RHETORICAL_RE = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _RHETORICAL))


def _rhetorical(clause: str) -> str | None:
    if not _ANY_RHETORICAL_RE.search(clause):
        return None
    for pattern, label in _RHETORICAL:
        if pattern.search(clause):
            return label
    return None


@lru_cache(maxsize=CLAUSE_CACHE)
def _clause_verdict(clause: str) -> tuple[QuestionVerdict | None, bool]:
    """A verdict for one clause (None when it says nothing either way), and whether the
    clause holds an interrogative word. Cached: many comments share a clause."""
    rhetorical = _rhetorical(clause)
    if rhetorical is not None:
        return QuestionVerdict(False, f"反问句式“{rhetorical}”，不需答复", "rhetorical"), False
    asks = _interrogative(clause)
    also = f"；疑问词“{asks}”" if asks else ""
    if "?" in clause:
        return QuestionVerdict(True, f"含问号“？”{also}", "question_mark"), asks is not None
    particle = _final_particle(clause)
    if particle in ("吗", "么") or (
        particle == "呢" and (asks is not None or _short_topic_question(clause))
    ):
        verdict = QuestionVerdict(True, f"句末疑问语气词“{particle}”{also}", "final_particle")
        return verdict, asks is not None
    if asks is not None:
        return QuestionVerdict(True, f"疑问词“{asks}”", "interrogative"), True
    return None, False


def detect_question(text: str) -> QuestionVerdict:
    """Decide whether a clean text (see ``clean_text``) asks a question that needs a reply."""
    if not _CJK_OR_WORD_RE.search(text):
        return QuestionVerdict(False, "无文字内容", "empty")
    rhetorical: QuestionVerdict | None = None
    for part in _CLAUSE_SPLIT_RE.split(text):
        clause = part.strip()
        if not _CJK_OR_WORD_RE.search(clause):
            # A lone "?" after a clause belongs to the clause before it.
            continue
        verdict, asks = _clause_verdict(clause)
        if verdict is None:
            continue
        if verdict.is_question and (rhetorical is None or asks):
            return verdict
        # After a rhetorical clause, a bare "…吗?" goes on with the rhetoric
        # (何必搞这么复杂，简单点不行吗).
        rhetorical = rhetorical or verdict
    return rhetorical or QuestionVerdict(False, "无疑问标志", "none")
