"""Masking personal data in quotes: phones, ID numbers, bank cards, e-mails, WeChat IDs.

Chinese text has no word boundary between characters and digits, so numbers are found
with ``(?<!\\d)`` / ``(?!\\d)`` instead of ``\\b``. A mask keeps just enough to recognise
the number (138****1234). Over-masking is preferred to a leak: ID numbers need only the
shape of a date, not a valid checksum.
"""

from __future__ import annotations

import re

__all__ = ["mask_middle", "redact"]

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_RE = re.compile(
    r"(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![\dA-Za-z])"
)
_MOBILE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)"
)
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[-\s](\d{7,8})(?!\d)")
_CARD_RE = re.compile(r"(?<!\d)\d{4}(?:[-\s]?\d{4}){2,3}(?:[-\s]?\d{1,3})?(?!\d)")
_WECHAT_RE = re.compile(
    r"(?<![A-Za-z0-9_])(wxid_[A-Za-z0-9]{4,30})(?![A-Za-z0-9_])"
    r"|((?<![A-Za-z])(?:微信|v信|薇信|威信|vx|wx|VX|WX|Vx|vX|V|v)\s*(?:号)?\s*[:：]?\s*)"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)


# Full-width digits, letters and @+-._ become ASCII first, so "１３８…" cannot slip through.
_HALF_WIDTH = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
    + [0xFF20, 0xFF0B, 0xFF0D, 0xFF0E, 0xFF3F]
}


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle of ``value`` with asterisks, keeping both ends."""
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_start] + "*" * hidden + (value[-keep_end:] if keep_end else "")


def _email(m: re.Match[str]) -> str:
    local, _, domain = m.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def _mobile(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _wechat(m: re.Match[str]) -> str:
    if m.group(1):
        return "wxid_****"
    handle = m.group(3)
    return f"{m.group(2)}{handle[:2]}****{handle[-2:]}"


def redact(text: str) -> str:
    """Mask e-mails, ID numbers, mobile and landline numbers, card numbers and WeChat IDs."""
    text = _EMAIL_RE.sub(_email, text.translate(_HALF_WIDTH))
    text = _ID_RE.sub(lambda m: mask_middle(m.group(0), 3, 4), text)
    text = _MOBILE_RE.sub(_mobile, text)
    text = _LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-4:]}", text)
    text = _CARD_RE.sub(lambda m: mask_middle(re.sub(r"[-\s]", "", m.group(0)), 4, 4), text)
    return _WECHAT_RE.sub(_wechat, text)
