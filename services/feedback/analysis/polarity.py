"""Polarity with contrast, sarcasm and complaint facts (#17), over :mod:`.sentiment`.

* The text is cut at a contrast word (但, 但是, 可是, 不过, 可惜, 就是, 只是) that opens a
  clause; each part is scored by the lexicon score (:func:`.sentiment.score_clean`) plus
  the attitude cues of ``data/polarity_cues.txt`` (没人回复, 太长, 套路, 收藏, 转给 …);
  the part after the last contrast counts fully, the parts before it at 0.3.
* Sarcasm: praise (真是高效, 真是及时, 福利满满 …) in a text that also states a complaint
  fact (等了十天, 还没, 已经…完了, 没人理) or laughs it off (呵呵) is read as a complaint.
* Thanks closing a request (请尽快联系我处理，谢谢) is courtesy and is not scored.
* A question is neutral unless it states a complaint fact strong enough on its own.
* score >= 0.5 is ``positive``, score <= -0.5 ``negative``, otherwise ``neutral``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .sentiment import Sentiment, SentimentLabel, score_clean
from .tokens import read_data_lines

__all__ = ["score_polarity"]

THRESHOLD = 0.5
BEFORE_CONTRAST = 0.3
STRONG_COMPLAINT = -1.4
_CONTRAST_RE = re.compile(r"(?:^|[,，。!?;；\s])(但是|但|可是|不过|可惜|就是|只是|然而)")
_SARCASM_PRAISE_RE = re.compile(
    r"(真是|真|可真|好|太|实在是)(高效|及时|周到|贴心|专业|良心|快|省心|用心|给力|满满"
    r"|厉害|棒|方便|靠谱|负责|热情|有效率)"
    r"|[\u4e00-\u9fff]{2}满满"
)
_SARCASM_FACT_RE = re.compile(
    r"等了|还在|还没|没人|已经.{0,8}(完|过)了|秒光|三天|一周|半个月|十天|呵呵|又是"
    r"|至今|到现在还|好几天|好几次|几个月|第[二三四五六七八九十\d]+次|一直没|一直不|一直在等"
    r"|多少次了"
)
# Thanks closing a request (请尽快联系我…，谢谢) is courtesy, not praise.
_REQUEST_CUE_RE = re.compile(r"请|麻烦|劳烦|烦请|帮忙|帮我|尽快")
_COURTESY_RE = re.compile(r"(谢谢|感谢|多谢)(您|你们|你|了)?[!！。~～]*$")
_NEGATED_CUE_RE = re.compile(r"(不|没|别|无)$")


@cache
def _cues() -> tuple[Any, list[float]]:
    import ahocorasick_rs

    weights: dict[str, float] = {}
    for line in read_data_lines("polarity_cues.txt"):
        word, weight = line.split()
        weights[word.lower()] = float(weight)
    words = list(weights)
    automaton = ahocorasick_rs.AhoCorasick(
        words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
    )
    return automaton, [weights[w] for w in words]


def _cue_score(text: str) -> tuple[float, list[str]]:
    automaton, weights = _cues()
    score, hits = 0.0, []
    lowered = text.lower()
    for idx, start, end in automaton.find_matches_as_indexes(lowered):
        weight = weights[idx]
        if weight > 0 and _NEGATED_CUE_RE.search(lowered[max(0, start - 2) : start]):
            weight = -0.8 * weight  # 不清楚, 没收获
        score += weight
        hits.append(f"{lowered[start:end]}{weight:+.1f}")
    return score, hits


def _part_score(
    part: str, stickers: tuple[str, ...], emoji: tuple[str, ...]
) -> tuple[float, list[str]]:
    lexicon = score_clean(part, stickers, emoji)
    cues, hits = _cue_score(part)
    return lexicon.score + cues, [*lexicon.hits, *hits]


def score_polarity(
    text: str,
    stickers: tuple[str, ...] = (),
    emoji: tuple[str, ...] = (),
    *,
    is_question: bool = False,
) -> Sentiment:
    """The polarity of a clean text (see ``clean_text``) with the reasons in ``hits``."""
    if _REQUEST_CUE_RE.search(text):
        text = _COURTESY_RE.sub("", text.rstrip(" ,，")) or text
    cuts = [m.start(1) for m in _CONTRAST_RE.finditer(text) if m.start(1) > 0]
    parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    score, hits = 0.0, []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        value, part_hits = _part_score(part, stickers if last else (), emoji if last else ())
        score += value if last else BEFORE_CONTRAST * value
        hits.extend(part_hits)
    if len(parts) > 1:
        hits.append("转折：以后半句为准")
    praise = _SARCASM_PRAISE_RE.search(text)
    fact = _SARCASM_FACT_RE.search(text)
    if praise and fact:
        score = min(score, 0.0) - 1.5
        hits.append(f"反讽：“{praise.group(0)}”与“{fact.group(0)}”")
    if is_question and score > STRONG_COMPLAINT:
        return Sentiment("neutral", round(score, 3), (*hits, "提问：默认中性"))
    label: SentimentLabel = (
        "positive" if score >= THRESHOLD else "negative" if score <= -THRESHOLD else "neutral"
    )
    return Sentiment(label, round(score, 3), tuple(hits))
