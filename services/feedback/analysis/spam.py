"""Spam detection: advertising, contact solicitation, links and repeated characters.

Each rule adds to a score and records its reason; a text scoring 1 or more is spam.
A customer who leaves a phone number for a call back is not spam: a number only counts
together with advertising or solicitation words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SpamVerdict", "detect_spam"]


@dataclass(frozen=True, slots=True)
class SpamVerdict:
    """Whether a text is spam, its score and the reasons found."""

    is_spam: bool
    score: float
    reasons: tuple[str, ...] = ()


_LINK_RE = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|top|xyz|vip|cc|shop|club|info)\b|t\.cn/",
    re.IGNORECASE,
)
_SOLICIT_RE = re.compile(
    r"(?<![附增参追添更外叠])(加|\+|＋)\s*(我|v|V|微|薇|威|vx|VX|wx|WX|扣扣|qq|QQ|群)"
    r"|(微信|v信|薇信|威信|vx|wx|VX|WX|QQ|qq|扣扣)\s*(号)?\s*[:：]?\s*[a-zA-Z0-9_-]{5,}"
    r"|(私聊|私信|联系|找|咨询)我|详情(请)?(私|咨询|联系|加)|主页有|看我(主页|头像)",
)
_AD_RE = re.compile(
    r"代开(发票|票)|开票(点数|低)|发票代开|兼职|刷单|日赚|日结|月入|躺赚|稳赚|免费领|点击领取|领取福利"
    r"|优惠券|低价|特价|贷款|网贷|套现|代理加盟|招代理|诚招|返利|返现|博彩|彩票|网赚|赚钱|"
    r"引流|涨粉|互粉|互关|刷粉|代写|代考|包过|秒到账|无抵押|零门槛|一件代发|微商|招募宝妈"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_REPEAT_RE = re.compile(r"(.)\1{7,}")
_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def detect_spam(text: str) -> SpamVerdict:
    """Score a clean text (see ``clean_text``) for spam and say why."""
    score, reasons = 0.0, []
    if _LINK_RE.search(_EMAIL_RE.sub(" ", text)):
        score += 1.0
        reasons.append("含链接")
    solicit = _SOLICIT_RE.search(text)
    if solicit:
        score += 1.0
        reasons.append(f"招揽联系“{solicit.group(0)}”")
    ads = {m.group(0) for m in _AD_RE.finditer(text)}
    if ads:
        score += 0.6 * len(ads)
        reasons.append("广告用语“" + "、".join(sorted(ads)) + "”")
    if _PHONE_RE.search(text) and (ads or solicit):
        score += 0.5
        reasons.append("留号码招揽")
    chars = _WORD_RE.findall(text)
    repeat = _REPEAT_RE.search(text)
    if repeat and not repeat.group(1).isspace():
        score += 1.0
        reasons.append(f"重复字符“{repeat.group(1)}”")
    elif len(chars) >= 12 and len(set(chars)) / len(chars) < 0.25:
        score += 1.0
        reasons.append("内容大量重复")
    return SpamVerdict(score >= 1.0, round(score, 2), tuple(reasons))
