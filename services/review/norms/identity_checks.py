"""Checks of identity and card numbers: the resident ID's region, birth date and
ISO 7064 MOD 11-2 check character, and the Luhn check of bank cards.

A checksum alone is weak evidence (about one random number in ten passes MOD 11-2 or
Luhn), so :mod:`.personal_data` asks a resident ID for a real region and birth date too,
and a bank card for a context word nearby.
"""

from __future__ import annotations

from datetime import date

__all__ = ["is_valid_resident_id", "luhn_valid", "resident_id_check_char"]

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
