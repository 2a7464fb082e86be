"""Detectors for personal data and contact solicitation, run over the folded text.

The folded text has full-width digits and letters made ASCII, is lower-case and has
zero-width characters removed, so ``１３８００１３８０００`` is found like ``13800138000``.
Digit runs are bounded with ``(?<!\\d)`` / ``(?!\\d)`` because ``\\b`` does not separate
Chinese characters from digits. A checksum alone is weak evidence (about one random
number in ten passes MOD 11-2 or Luhn), so resident IDs also need a real region and
birth date, and bank cards need a context word nearby.

The contact rules (WeChat and QQ IDs, requests to add someone) and the context words of
mobile numbers read the text after the table of substitutes (``SubstituteTable``) has
been applied, so ``V信``, ``wei xin`` and ``扣扣`` arrive as ``微信`` and ``qq``; requests
to add someone are also looked for in the dense view, where ``加★微★信`` is ``加微信``.
Numbers and e-mail addresses are read in the folded text as written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import date

from services.review.norms.explanations import explain_personal_data
from services.review.norms.findings import Category, Finding, Severity
from services.review.norms.normalise import (
    Evasion,
    Gap,
    NormalisedText,
    evasion_flags,
    evasion_label,
)

__all__ = [
    "PersonalDataDetector",
    "is_valid_resident_id",
    "luhn_valid",
    "resident_id_check_char",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# province-level codes of GB/T 2260, plus 83 (residence permits for Taiwan residents)
_ID_REGIONS = frozenset(
    {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        *(71, 81, 82, 83, 91),
    }
)
_OLDEST_BIRTH_YEAR = 1900
# separators and letter case are ordinary formatting for numbers and addresses
_EVASION_MASK = Evasion.FULLWIDTH | Evasion.TRADITIONAL | Evasion.ZERO_WIDTH
_CONTEXT_BEFORE_MOBILE = 12

_MOBILE = re.compile(
    r"(?=[+081])(?<![\d+])(?<!\d[ \-])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?![ \-]?\d)"
)
_MOBILE_CONTEXT = re.compile(r"电话|手机|联系|致电|热线|号码|tel|phone|mobile")
_RESIDENT_ID = re.compile(r"(?=[1-9])(?<!\d)(\d{6})[ \-]?(\d{8})[ \-]?(\d{3}[0-9x])(?![0-9x])")
_BANK_CARD = re.compile(
    r"(?=[1-9])(?<!\d)(?<!\d[ \-])[1-9]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?(?![ \-]?\d)"
)
_BANK_CONTEXT = re.compile(
    r"银行卡|卡号|账号|帐号|账户|帐户|开户行|开户银行|储蓄卡|借记卡|信用卡|收款|转账|汇款|户名"
    r"|bank|card|account"
)
_BANK_CONTEXT_BEFORE = 20
_BANK_CONTEXT_AFTER = 10
# Each pattern opens with a look-ahead for its first character: it lets the regex engine
# skip ahead to candidates instead of trying the look-behinds at every position.
_EMAIL = re.compile(
    r"(?=[a-z0-9])(?<![a-z0-9._%+\-])[a-z0-9][a-z0-9._%+\-]{0,63}@"
    r"((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![a-z0-9\-])"
)
_ID_SEPARATOR = r"\s*(?P<sep>[:=]|是|为)?\s*"
# variants (薇信, vx, wechat, 扣扣…) are read as 微信 and qq through the table of substitutes
_WECHAT_ID = re.compile(
    r"微信(?:号|id)?" + _ID_SEPARATOR + r"(?P<id>[a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
)
_QQ_NUMBER = re.compile(
    r"(?=q)(?<![a-z])qq(?:号码?)?" + _ID_SEPARATOR + r"(?P<id>[1-9]\d{4,10})(?!\d)"
)
_SOLICITATION = re.compile(
    r"(?=[加添+])(?:(?<![增参追附更叠施])加|添加|(?<![+a-z0-9])\+)\s*(?:我\s*)?(?:的\s*)?"
    r"(?:(?:微信|qq)(?!支付|公众|小程序)|v(?![a-z0-9]))"
)


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``) for 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def is_valid_resident_id(number: str, *, today: date) -> bool:
    """18-character resident ID: known region, real birth date not in the future, check."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in _ID_REGIONS:
        return False
    born = _birth_date(number)
    if born is None or born > today or born.year < _OLDEST_BIRTH_YEAR:
        return False
    return resident_id_check_char(number[:17]) == number[17]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit() or c == "x")


class PersonalDataDetector:
    """Finds mobile numbers, resident IDs, bank cards, e-mail addresses, WeChat and QQ
    IDs, and requests to add someone on WeChat."""

    def __init__(
        self,
        *,
        today: Callable[[], date] = date.today,
        allowed_email_domains: Iterable[str] = (),
    ) -> None:
        self._today = today
        self._allowed_domains = tuple(d.lower().lstrip("@") for d in allowed_email_domains)

    def find(self, norm: NormalisedText, canon: NormalisedText | None = None) -> list[Finding]:
        """Every detection, possibly overlapping (e.g. an ID that also passes Luhn).

        ``canon`` is ``norm`` with its substitutes applied (``norm`` itself by default).
        """
        canon = canon if canon is not None else norm
        findings: list[Finding] = []
        findings.extend(self._mobiles(norm, canon))
        findings.extend(self._resident_ids(norm))
        findings.extend(self._bank_cards(norm))
        findings.extend(self._emails(norm))
        findings.extend(self._contact_ids(canon))
        findings.extend(self._solicitations(canon))
        return findings

    def _finding(
        self,
        norm: NormalisedText,
        match: re.Match[str],
        *,
        category: Category,
        rule: str,
        severity: Severity,
        confidence: float,
        what: str,
        advice: str,
        dense: bool = False,
        extra: Evasion = Evasion.NONE,
    ) -> Finding:
        span = norm.dense_span if dense else norm.folded_span
        start, end = span(match.start(), match.end())
        matched = norm.original[start:end]
        evasion = evasion_flags(matched) & (_EVASION_MASK | extra)
        substitutions = norm.substitutions_in(start, end)
        if substitutions:
            evasion |= Evasion.SUBSTITUTE
        return Finding(
            category=category,
            rule_id=f"{category}.{rule}",
            severity=severity,
            matched=matched,
            start=start,
            end=end,
            normalised=match.group(),
            evasion=evasion_label(evasion),
            confidence=confidence,
            explanation=explain_personal_data(
                category,
                what,
                severity,
                evasion,
                advice,
                substitutions=substitutions,
                span=(start, end),
            ),
        )

    def _mobiles(self, norm: NormalisedText, canon: NormalisedText) -> Iterable[Finding]:
        for match in _MOBILE.finditer(norm.folded):
            if canon is norm:
                context = norm.folded[
                    max(0, match.start() - _CONTEXT_BEFORE_MOBILE) : match.start()
                ]
            else:  # the context words as read after substitutes: dian hua -> 电话
                at = bisect_left(canon.folded_index, norm.folded_index[match.start()])
                context = canon.folded[max(0, at - _CONTEXT_BEFORE_MOBILE) : at]
            yield self._finding(
                norm,
                match,
                category=Category.PRIVACY,
                rule="mobile_number",
                severity=Severity.WARN,
                confidence=0.95 if _MOBILE_CONTEXT.search(context) else 0.85,
                what="手机号码",
                advice="公司对外联系请用官方热线，个人号码须删除或打码",
            )

    def _resident_ids(self, norm: NormalisedText) -> Iterable[Finding]:
        today = self._today()
        for match in _RESIDENT_ID.finditer(norm.folded):
            if is_valid_resident_id("".join(match.groups()), today=today):
                yield self._finding(
                    norm,
                    match,
                    category=Category.PRIVACY,
                    rule="resident_id",
                    severity=Severity.BLOCK,
                    confidence=0.97,
                    what="居民身份证号码（校验位与出生日期均有效）",
                    advice="身份证号属于个人敏感信息，须删除",
                )

    def _bank_cards(self, norm: NormalisedText) -> Iterable[Finding]:
        text = norm.folded
        for match in _BANK_CARD.finditer(text):
            digits = _digits(match.group())
            if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
                continue
            before = text[max(0, match.start() - _BANK_CONTEXT_BEFORE) : match.start()]
            after = text[match.end() : match.end() + _BANK_CONTEXT_AFTER]
            if _BANK_CONTEXT.search(before) or _BANK_CONTEXT.search(after):
                yield self._finding(
                    norm,
                    match,
                    category=Category.PRIVACY,
                    rule="bank_card",
                    severity=Severity.BLOCK,
                    confidence=0.9,
                    what="银行卡号（Luhn 校验通过且附近有卡号/账号等字样）",
                    advice="银行卡号属于个人金融信息，须删除",
                )

    def _emails(self, norm: NormalisedText) -> Iterable[Finding]:
        for match in _EMAIL.finditer(norm.folded):
            domain = match.group(1)
            if any(domain == d or domain.endswith("." + d) for d in self._allowed_domains):
                continue
            yield self._finding(
                norm,
                match,
                category=Category.PRIVACY,
                rule="email",
                severity=Severity.WARN,
                confidence=0.9,
                what="电子邮箱地址",
                advice="非公司官方邮箱的个人邮箱须删除",
            )

    def _contact_ids(self, norm: NormalisedText) -> Iterable[Finding]:
        for pattern, rule, what in (
            (_WECHAT_ID, "wechat_id", "微信号"),
            (_QQ_NUMBER, "qq_number", "QQ 号"),
        ):
            for match in pattern.finditer(norm.folded):
                explicit = match.group("sep") is not None
                if not explicit and not any(c.isdigit() for c in match.group("id")):
                    continue  # "微信 wechat": a word, not an ID
                yield self._finding(
                    norm,
                    match,
                    category=Category.PRIVACY,
                    rule=rule,
                    severity=Severity.WARN,
                    confidence=0.85 if explicit else 0.7,
                    what=what,
                    advice="公众号不得宣传个人账号（运营部规章 6.6），请删除或换成官方账号",
                )

    def _solicitations(self, norm: NormalisedText) -> Iterable[Finding]:
        spans: list[tuple[int, int]] = []
        for match in _SOLICITATION.finditer(norm.folded):
            finding = self._solicitation(norm, match)
            spans.append((finding.start, finding.end))
            yield finding
        # 加★微★信, 加 微 信: symbols between the characters (no comma, colon or quote)
        for match in _SOLICITATION.finditer(norm.dense):
            if any(
                norm.gaps.get(i, Gap(0)) & Gap.CLAUSE for i in range(match.start() + 1, match.end())
            ):
                continue
            start, end = norm.dense_span(match.start(), match.end())
            if any(s < end and start < e for s, e in spans):
                continue
            yield self._solicitation(norm, match, dense=True)

    def _solicitation(
        self, norm: NormalisedText, match: re.Match[str], *, dense: bool = False
    ) -> Finding:
        return self._finding(
            norm,
            match,
            category=Category.SPAM,
            rule="contact_solicitation",
            severity=Severity.WARN,
            confidence=0.75 if dense else 0.8,
            what="引导添加个人微信/QQ",
            advice="公众号不得引流到个人账号，请删除或改为官方渠道",
            dense=dense,
            extra=Evasion.SEPARATOR if dense else Evasion.NONE,
        )
