"""A transparent lexicon sentiment score for short Chinese comments.

How a score is made, so anyone can check a verdict by hand:

* the clean text is scanned left to right for the longest entry of one lexicon that holds
  positive words, negative words (``data/sentiment_*.txt``, each with a weight), negators
  (不, 没, 别 …), degree adverbs (很, 非常, 太 …) and neutral phrases that must not be
  split (有没有, 好几, 麻烦问 …);
* a sentiment word takes the product of the degree adverbs just before it, and is flipped
  by an odd number of negators just before it (a negated positive counts -0.9x, a negated
  negative +0.6x: 不满意 is worse than 不差 is good); a clause break ends their reach;
* sticker codes and emoji removed by cleaning add ±0.8 each (at most three counted);
* score >= 0.5 is ``positive``, score <= -0.5 ``negative``, otherwise ``neutral``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from .clean import clean_text
from .tokens import read_data_lines

__all__ = [
    "NEGATIVE_STICKERS",
    "POSITIVE_STICKERS",
    "Sentiment",
    "SentimentLabel",
    "score_clean",
    "score_sentiment",
]

SentimentLabel = Literal["positive", "neutral", "negative"]

THRESHOLD = 0.5
HINT_WEIGHT = 0.8
MAX_HINTS = 3

NEGATORS: dict[str, float] = {
    "不": 1,
    "没": 1,
    "没有": 1,
    "别": 1,
    "无": 1,
    "未": 1,
    "非": 1,
    "不是": 1,
    "并不": 1,
    "并没有": 1,
    "从不": 1,
    "从没": 1,
    "毫不": 1,
    "绝不": 1,
    "不够": 1,
    "不太": 0.7,
    "不怎么": 0.7,
    "不是很": 0.7,
    "不大": 0.7,
    "不再": 1,
    "没那么": 0.7,
}
DEGREES: dict[str, float] = {
    "很": 1.5,
    "非常": 2.0,
    "太": 1.8,
    "特别": 1.8,
    "超": 1.8,
    "超级": 2.0,
    "十分": 1.8,
    "极": 2.0,
    "极其": 2.0,
    "真": 1.3,
    "真的": 1.3,
    "最": 1.8,
    "挺": 1.2,
    "蛮": 1.2,
    "比较": 1.1,
    "有点": 0.8,
    "有些": 0.8,
    "稍微": 0.7,
    "相当": 1.5,
    "更": 1.3,
    "越来越": 1.5,
    "实在": 1.5,
    "确实": 1.3,
    "好": 1.3,
    "巨": 1.8,
    "贼": 1.8,
    "格外": 1.5,
}
# Phrases that contain a lexicon word but carry no sentiment; matched as one unit.
NEUTRAL_PHRASES: tuple[str, ...] = (
    "有没有",
    "是不是",
    "能不能",
    "会不会",
    "要不要",
    "可不可以",
    "好不好",
    "行不行",
    "对不对",
    "需不需要",
    "好几",
    "好多",
    "好像",
    "好久",
    "只好",
    "最好",
    "好的话",
    "好不容易",
    "麻烦问",
    "麻烦您",
    "麻烦你",
    "麻烦帮",
    "麻烦告知",
    "麻烦回复",
    "麻烦小编",
    "错过",
    "不错过",
    "差不多",
    "差点",
    "差旅",
    "差额",
    "难道",
    "难怪",
    "不客气",
    "不用谢",
    "别客气",
    "没关系",
    "收费标准",
    "不知道",
    "不清楚怎么",
    "不好意思",
    "无论",
    "没想到",
    "好奇",
    "不急",
    "急需",
    "不管",
    "没事",
    "难免",
    "未来",
    "更新",
    "岂不是",
    "岂不",
    "不就是",
    "不就",
    "难道不是",
    "无法",
)
POSITIVE_STICKERS = frozenset(
    [
        "强",
        "赞",
        "微笑",
        "鼓掌",
        "玫瑰",
        "爱心",
        "抱拳",
        "好的",
        "OK",
        "胜利",
        "握手",
        "耶",
        "愉快",
        "憨笑",
        "呲牙",
        "机智",
        "庆祝",
        "666",
        "拥抱",
        "太阳",
        "偷笑",
        "可爱",
        "得意",
        "色",
        "嘿哈",
        "奸笑",
        "哇",
        "红包",
        "福",
        "合十",
        "加油",
        "烟花",
        "爆竹",
        "礼物",
    ]
)
NEGATIVE_STICKERS = frozenset(
    [
        "流泪",
        "大哭",
        "发怒",
        "撇嘴",
        "难过",
        "抓狂",
        "衰",
        "弱",
        "吐",
        "鄙视",
        "委屈",
        "快哭了",
        "叹气",
        "裂开",
        "捂脸",
        "尴尬",
        "无语",
        "白眼",
        "心碎",
        "囧",
        "苦涩",
        "皱眉",
        "生病",
        "晕",
        "擦汗",
        "冷汗",
        "敲打",
        "再见",
        "失望",
        "翻白眼",
        "汗",
        "崩溃",
    ]
)
POSITIVE_EMOJI = frozenset("👍👏🌹❤💕💯🙏😊😄😁😀😃🤗🥰😍🎉✌👌💪🌟⭐🤝☺🙂😆")
NEGATIVE_EMOJI = frozenset("👎😡😠😭😢💔😤🙄😒😞😔😩😫🤬😓😰😱🤮😣😖😑😐🤦")

_BREAKS = frozenset("。!?,;；、\n…~～ ")

_KIND_POS, _KIND_NEG, _KIND_NOT, _KIND_DEG, _KIND_NEUTRAL = range(5)


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A sentiment label, its score and the words and hints that made it."""

    label: SentimentLabel
    score: float
    hits: tuple[str, ...] = ()


def _read_lexicon(name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in read_data_lines(name):
        word, *weight = line.split()
        out[word.lower()] = float(weight[0]) if weight else 1.0
    return out


@cache
def _lexicon() -> tuple[Any, list[tuple[int, float]]]:
    """An Aho-Corasick automaton (leftmost-longest) over every entry, and each entry's role."""
    import ahocorasick_rs

    entries: dict[str, tuple[int, float]] = {}
    for word, w in _read_lexicon("sentiment_positive.txt").items():
        entries[word] = (_KIND_POS, w)
    for word, w in _read_lexicon("sentiment_negative.txt").items():
        entries[word] = (_KIND_NEG, w)
    for word, w in NEGATORS.items():
        entries.setdefault(word, (_KIND_NOT, w))
    for word, w in DEGREES.items():
        entries.setdefault(word, (_KIND_DEG, w))
    for word in NEUTRAL_PHRASES:
        entries[word] = (_KIND_NEUTRAL, 0.0)
    words = list(entries)
    automaton = ahocorasick_rs.AhoCorasick(
        words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
    )
    return automaton, [entries[w] for w in words]


def _hint_score(stickers: Iterable[str], emoji: Iterable[str]) -> tuple[float, list[str]]:
    score, hits, counted = 0.0, [], 0
    for name in stickers:
        sign = 1 if name in POSITIVE_STICKERS else -1 if name in NEGATIVE_STICKERS else 0
        if sign and counted < MAX_HINTS:
            score, counted = score + sign * HINT_WEIGHT, counted + 1
            hits.append(f"[{name}]{'+' if sign > 0 else '-'}")
    for ch in emoji:
        sign = 1 if ch in POSITIVE_EMOJI else -1 if ch in NEGATIVE_EMOJI else 0
        if sign and counted < MAX_HINTS:
            score, counted = score + sign * HINT_WEIGHT, counted + 1
            hits.append(f"{ch}{'+' if sign > 0 else '-'}")
    return score, hits


def score_clean(text: str, stickers: Iterable[str] = (), emoji: Iterable[str] = ()) -> Sentiment:
    """Score a clean text, with the stickers and emoji that cleaning removed from it."""
    automaton, roles = _lexicon()
    score, hits = _hint_score(stickers, emoji)
    lowered = text.lower()
    negations, degree, last_end = 0, 1.0, 0
    for idx, start, end in automaton.find_matches_as_indexes(lowered):
        gap = lowered[last_end:start]
        if any(ch in _BREAKS for ch in gap) or len(gap) > 3:
            negations, degree = 0, 1.0
        last_end = end
        kind, weight = roles[idx]
        word = lowered[start:end]
        if kind == _KIND_NOT:
            negations += 1
            degree *= weight
        elif kind == _KIND_DEG:
            degree *= weight
        elif kind == _KIND_NEUTRAL:
            negations, degree = 0, 1.0
        else:
            value = weight * degree * (1 if kind == _KIND_POS else -1)
            if negations % 2:
                value *= -0.9 if value > 0 else -0.6
                word = "(否定)" + word
            score += value
            hits.append(f"{word}{value:+.1f}")
            negations, degree = 0, 1.0
    label: SentimentLabel = (
        "positive" if score >= THRESHOLD else "negative" if score <= -THRESHOLD else "neutral"
    )
    return Sentiment(label, round(score, 3), tuple(hits))


def score_sentiment(raw: str) -> Sentiment:
    """Clean a raw text (keeping its sticker and emoji hints) and score it."""
    clean = clean_text(raw)
    return score_clean(clean.text, clean.stickers, clean.emoji)
