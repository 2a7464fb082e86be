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

The patterns and context windows are the rules table in :mod:`.personal_data_patterns`;
the checksums of resident IDs and bank cards are in :mod:`.identity_checks`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import date

from services.review.norms.evasion import Evasion, evasion_flags, evasion_label
from services.review.norms.explanations import explain_personal_data
from services.review.norms.findings import Category, Finding, Severity
from services.review.norms.identity_checks import is_valid_resident_id, luhn_valid
from services.review.norms.normalise import Gap, NormalisedText
from services.review.norms.personal_data_patterns import (
    BANK_CARD,
    BANK_CONTEXT,
    BANK_CONTEXT_AFTER,
    BANK_CONTEXT_BEFORE,
    CONTEXT_BEFORE_MOBILE,
    EMAIL,
    EVASION_MASK,
    MOBILE,
    MOBILE_CONTEXT,
    QQ_NUMBER,
    RESIDENT_ID,
    SOLICITATION,
    WECHAT_ID,
)

__all__ = ["PersonalDataDetector"]


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
        evasion = evasion_flags(matched) & (EVASION_MASK | extra)
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
        for match in MOBILE.finditer(norm.folded):
            if canon is norm:
                context = norm.folded[max(0, match.start() - CONTEXT_BEFORE_MOBILE) : match.start()]
            else:  # the context words as read after substitutes: dian hua -> 电话
                at = bisect_left(canon.folded_index, norm.folded_index[match.start()])
                context = canon.folded[max(0, at - CONTEXT_BEFORE_MOBILE) : at]
            yield self._finding(
                norm,
                match,
                category=Category.PRIVACY,
                rule="mobile_number",
                severity=Severity.WARN,
                confidence=0.95 if MOBILE_CONTEXT.search(context) else 0.85,
                what="手机号码",
                advice="公司对外联系请用官方热线，个人号码须删除或打码",
            )

    def _resident_ids(self, norm: NormalisedText) -> Iterable[Finding]:
        today = self._today()
        for match in RESIDENT_ID.finditer(norm.folded):
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
        for match in BANK_CARD.finditer(text):
            digits = _digits(match.group())
            if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
                continue
            before = text[max(0, match.start() - BANK_CONTEXT_BEFORE) : match.start()]
            after = text[match.end() : match.end() + BANK_CONTEXT_AFTER]
            if BANK_CONTEXT.search(before) or BANK_CONTEXT.search(after):
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
        for match in EMAIL.finditer(norm.folded):
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
            (WECHAT_ID, "wechat_id", "微信号"),
            (QQ_NUMBER, "qq_number", "QQ 号"),
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
        for match in SOLICITATION.finditer(norm.folded):
            finding = self._solicitation(norm, match)
            spans.append((finding.start, finding.end))
            yield finding
        # 加★微★信, 加 微 信: symbols between the characters (no comma, colon or quote)
        for match in SOLICITATION.finditer(norm.dense):
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
