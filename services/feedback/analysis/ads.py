"""Advertising that hides itself, told apart from customers who want to be contacted (#17).

The text is first *unfolded*: spaces and dashes between characters removed (代 开 发 票,
1 3 6 - 1 1 1 1), Chinese digits in a run of seven or more read as digits (一八八一二三…),
contact words written around (薇, 威 信, V信, ➕V, 扣扣) read as one. Then:

* a link is spam;
* a contact handle (a QQ number, a WeChat/Telegram id after a contact word) is spam
  unless the text is a customer's (below); a phone number counts half, since customers
  leave theirs for a call back;
* a solicitation (私信我, 详情私聊, 看我头像, 主页有, 老板看过来) is spam; 找我, 联系我
  and 加我 count half, since customers say them too;
* two or more advertising phrases (代开, 日赚, 无抵押, 包过, 只要 9.9 …) are spam.

A customer's text — one addressed to us (我们公司, 麻烦, 帮忙看下, 请联系我, 想了解, 客户经理)
with no advertising phrase — is never spam, whatever contact it leaves: dropping a
customer loses them; keeping an advert costs a line in a document.
"""

from __future__ import annotations

import re

from .spam import SpamVerdict

__all__ = ["detect_ad", "unfold"]

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
_CN_DIGIT_RUN_RE = re.compile(r"[零〇一二三四五六七八九幺]{7,}")
_GAP_RE = re.compile(r"(?<=\S)[\s\-—_·.]+(?=\S)")
_VARIANTS = (
    (re.compile(r"(微|薇|威|v|V)\s*信|vx|VX|Vx|wx|WX|Wx|weixin|wechat", re.IGNORECASE), "微信"),
    (re.compile(r"扣扣|qq|QQ|企鹅"), "QQ"),
    (re.compile(r"[➕+＋]\s*(v|V)(?![a-zA-Z])|加\s*(v|V)(?![a-zA-Z])|加\s*薇|加\s*威"), "加微信"),
    (re.compile(r"电\s*话|手\s*机|tel", re.IGNORECASE), "电话"),
    (re.compile(r"联\s*系"), "联系"),
    (re.compile(r"私\s*(聊|信)"), "私信"),
)
_LINK_RE = re.compile(
    r"https?://|www\.|[a-z0-9-]+\.(com|cn|net|top|xyz|vip|cc|shop|club|info)\b|t\.cn/",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_HANDLE_RE = re.compile(
    r"(微信|QQ|加微信|tg|电报|v)(号)?[:：]?@?[a-zA-Z0-9_]{4,}"
    r"|QQ[:：]?\d{5,}|(?<!\d)\d{8,11}(?!\d)",
    re.IGNORECASE,
)
_SOLICIT_RE = re.compile(
    r"私信(我|领取|咨询)?|详情(请)?(私信|咨询|联系|看|加)|看我(主页|头像)|看主页|主页有"
    r"|(老板|朋友|宝妈|需要的|想做副业的)(们)?看过来|加微信|链接在评论区"
)
# "联系我" alone is what customers say too: it counts only with a handle or an ad.
_WEAK_SOLICIT_RE = re.compile(r"找我|联系我|加我")
_AD_RE = re.compile(
    r"代开|开票|税点|点数低|成本票|专票.{0,4}验真|可验真|贷款|无抵押|秒批|放款|融资|利息低"
    r"|兼职|刷单|日赚|日结|月入|躺赚|稳赚|副业|零门槛|招代理|代理加盟|包过|包进|包赢|内推"
    r"|代学|刷课|引流|涨粉|粉丝|回收|源码出售|出售|低价|价格(低|优惠|美丽|实惠)|只要\d|仅需\d"
    r"|原价|打包带走|免费领取|领取福利|红包|返利|挂靠|补缴社保|省社保|换汇|收U|下户|解冻账户"
    r"|成功率高|三天见效|三天出报告|资料包|模板.{0,6}都有|各行业都能开|各地都能办"
)
_CUSTOMER_RE = re.compile(
    r"我们(公司|这边|单位|的)|麻烦|帮忙|帮我|请(尽快)?联系我|想了解|客户经理|你们|签约"
    r"|开通|老客户|谢谢|请问|报错|打不开|我的(电话|手机|微信)"
)


# Every contact word of _VARIANTS holds one of these characters (信 of 微信/薇信, x of vx,
# w of weixin, 扣, q, 企, v of +v/加v, 薇, 威, 话, 机, l of tel, 系, 私): a text with none
# of them is left as it is by all of them.
_VARIANT_CHARS = frozenset("信xXwW扣qQ企vV薇威话机lL系私")


def unfold(text: str) -> str:
    """The text with its disguises removed: gaps closed, digits and contact words read."""
    folded = _GAP_RE.sub("", text)
    folded = _CN_DIGIT_RUN_RE.sub(lambda m: m.group(0).translate(_CN_DIGITS), folded)
    if not _VARIANT_CHARS.isdisjoint(folded):
        for pattern, canonical in _VARIANTS:
            folded = pattern.sub(canonical, folded)
    return folded


def detect_ad(text: str) -> SpamVerdict:
    """Whether a clean text is advertising, with the reasons; never a customer's text."""
    folded = unfold(text)
    ads = sorted({m.group(0) for m in _AD_RE.finditer(folded)})
    customer = _CUSTOMER_RE.search(folded)
    reasons: list[str] = []
    if customer and not ads:
        return SpamVerdict(False, 0.0, (f"客户用语“{customer.group(0)}”",))
    link = _LINK_RE.search(text) or _LINK_RE.search(folded)
    if link:
        reasons.append(f"含链接“{link.group(0)}”")
    phone = _PHONE_RE.search(folded)
    handle = None if phone else _HANDLE_RE.search(folded)
    contact = phone or handle
    if contact:
        reasons.append(f"留联系方式“{contact.group(0)}”")
    solicit = _SOLICIT_RE.search(folded)
    weak = None if solicit else _WEAK_SOLICIT_RE.search(folded)
    shown = solicit or weak
    if shown:
        reasons.append(f"招揽“{shown.group(0)}”")
    if ads:
        reasons.append("广告用语“" + "、".join(ads) + "”")
    score = (
        (1.0 if link else 0.0)
        + (1.0 if handle else 0.5 if phone else 0.0)
        + (1.0 if solicit else 0.5 if weak else 0.0)
        + 0.5 * len(ads)
    )
    return SpamVerdict(score >= 1.0, round(score, 2), tuple(reasons))
