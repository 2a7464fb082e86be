"""Content-norm checker for posts (附件一：内容规范): a pure library.

The review service builds a ``Lexicon`` (shipped terms + terms people added - terms they
removed), a ``NormChecker`` from it and the company's confidential terms, and calls
``check(title)``, ``check(digest)`` and ``check(html_to_text(body))``::

    checker = NormChecker(Lexicon.load(added=added, removed=removed),
                          confidential_terms=settings.confidential_terms)
    result = checker.check(text)
    result.blocking, result.lexicon_version, [f.to_dict() for f in result.findings]
"""

from services.review.norms.checker import NormChecker
from services.review.norms.findings import (
    Category,
    CheckResult,
    Finding,
    Severity,
    resolve_overlaps,
)
from services.review.norms.html_text import html_to_text
from services.review.norms.lexicon import DEFAULT_SEVERITY, Lexicon, LexiconError, Term
from services.review.norms.normalise import MAX_GAP, normalise, normalise_term
from services.review.norms.personal_data import (
    is_valid_resident_id,
    luhn_valid,
    resident_id_check_char,
)

__all__ = [
    "DEFAULT_SEVERITY",
    "MAX_GAP",
    "Category",
    "CheckResult",
    "Finding",
    "Lexicon",
    "LexiconError",
    "NormChecker",
    "Severity",
    "Term",
    "html_to_text",
    "is_valid_resident_id",
    "luhn_valid",
    "normalise",
    "normalise_term",
    "resident_id_check_char",
    "resolve_overlaps",
]
