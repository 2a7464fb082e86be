"""Content-norm checker for posts (附件一：内容规范): a pure library.

The review service builds a ``Lexicon`` (shipped terms + terms people added - terms they
removed), a ``NormChecker`` from it and the company's confidential terms, and calls
``check(title)``, ``check(digest)`` and ``check(html_to_text(body))``::

    checker = NormChecker(Lexicon.load(added=added, removed=removed),
                          confidential_terms=settings.confidential_terms)
    result = checker.check(text)
    result.blocking, result.lexicon_version, [f.to_dict() for f in result.findings]

Before the rules, look-alike and homophone substitutes (``lexicon/substitutes.txt``:
``加薇信``, ``V信``, ``wei xin``) are read as their standard spelling, and findings keep
the offsets of the original text. With condemnation rules (``lexicon/condemnation.txt``)
a blocking term about gambling, drugs, pyramid selling or fraud in a sentence that
condemns it (``我们反对赌博``) is a warning; a promotion still blocks.
"""

from services.review.norms.checker import NormChecker
from services.review.norms.condemnation import (
    CondemnationError,
    CondemnationRules,
    parse_condemnation_lines,
)
from services.review.norms.findings import (
    Category,
    CheckResult,
    Finding,
    Severity,
    resolve_overlaps,
)
from services.review.norms.html_text import html_to_text
from services.review.norms.identity_checks import (
    is_valid_resident_id,
    luhn_valid,
    resident_id_check_char,
)
from services.review.norms.lexicon import DEFAULT_SEVERITY, Lexicon, LexiconError, Term
from services.review.norms.normalise import MAX_GAP, normalise, normalise_term
from services.review.norms.substitutes import (
    Substitute,
    SubstituteError,
    SubstituteTable,
    parse_substitute_lines,
)

__all__ = [
    "DEFAULT_SEVERITY",
    "MAX_GAP",
    "Category",
    "CheckResult",
    "CondemnationError",
    "CondemnationRules",
    "Finding",
    "Lexicon",
    "LexiconError",
    "NormChecker",
    "Severity",
    "Substitute",
    "SubstituteError",
    "SubstituteTable",
    "Term",
    "html_to_text",
    "is_valid_resident_id",
    "luhn_valid",
    "normalise",
    "normalise_term",
    "parse_condemnation_lines",
    "parse_substitute_lines",
    "resident_id_check_char",
    "resolve_overlaps",
]
