"""The rules table of :mod:`.personal_data`: what each kind of personal data and contact
solicitation looks like in the folded text, and how far its context words may be.

Digit runs are bounded with ``(?<!\\d)`` / ``(?!\\d)`` because ``\\b`` does not separate
Chinese characters from digits.
"""

from __future__ import annotations

import re

from services.review.norms.evasion import Evasion

__all__ = [
    "BANK_CARD",
    "BANK_CONTEXT",
    "BANK_CONTEXT_AFTER",
    "BANK_CONTEXT_BEFORE",
    "CONTEXT_BEFORE_MOBILE",
    "EMAIL",
    "EVASION_MASK",
    "MOBILE",
    "MOBILE_CONTEXT",
    "QQ_NUMBER",
    "RESIDENT_ID",
    "SOLICITATION",
    "WECHAT_ID",
]

# separators and letter case are ordinary formatting for numbers and addresses
EVASION_MASK = Evasion.FULLWIDTH | Evasion.TRADITIONAL | Evasion.ZERO_WIDTH
CONTEXT_BEFORE_MOBILE = 12

MOBILE = re.compile(
    r"(?=[+081])(?<![\d+])(?<!\d[ \-])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?![ \-]?\d)"
)
MOBILE_CONTEXT = re.compile(r"电话|手机|联系|致电|热线|号码|tel|phone|mobile")
RESIDENT_ID = re.compile(r"(?=[1-9])(?<!\d)(\d{6})[ \-]?(\d{8})[ \-]?(\d{3}[0-9x])(?![0-9x])")
BANK_CARD = re.compile(
    r"(?=[1-9])(?<!\d)(?<!\d[ \-])[1-9]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?(?![ \-]?\d)"
)
BANK_CONTEXT = re.compile(
    r"银行卡|卡号|账号|帐号|账户|帐户|开户行|开户银行|储蓄卡|借记卡|信用卡|收款|转账|汇款|户名"
    r"|bank|card|account"
)
BANK_CONTEXT_BEFORE = 20
BANK_CONTEXT_AFTER = 10
# Each pattern opens with a look-ahead for its first character: it lets the regex engine
# skip ahead to candidates instead of trying the look-behinds at every position.
EMAIL = re.compile(
    r"(?=[a-z0-9])(?<![a-z0-9._%+\-])[a-z0-9][a-z0-9._%+\-]{0,63}@"
    r"((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![a-z0-9\-])"
)
_ID_SEPARATOR = r"\s*(?P<sep>[:=]|是|为)?\s*"
# variants (薇信, vx, wechat, 扣扣…) are read as 微信 and qq through the table of substitutes
WECHAT_ID = re.compile(
    r"微信(?:号|id)?" + _ID_SEPARATOR + r"(?P<id>[a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
)
QQ_NUMBER = re.compile(
    r"(?=q)(?<![a-z])qq(?:号码?)?" + _ID_SEPARATOR + r"(?P<id>[1-9]\d{4,10})(?!\d)"
)
SOLICITATION = re.compile(
    r"(?=[加添+])(?:(?<![增参追附更叠施])加|添加|(?<![+a-z0-9])\+)\s*(?:我\s*)?(?:的\s*)?"
    r"(?:(?:微信|qq)(?!支付|公众|小程序)|v(?![a-z0-9]))"
)
