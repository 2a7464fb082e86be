"""The lexicon: terms per category, shipped as data and changed at run time.

Shipped data lives in ``lexicon/<category>.txt`` (UTF-8), one term per line::

    term[|severity[|note]]

``severity`` is ``block`` or ``warn`` (empty: the category's default); lines that start
with ``#`` and blank lines are ignored. ``lexicon/allow.txt`` lists phrases of ordinary
language that happen to contain a term (``特色情怀`` contains ``色情``); a match that lies
inside one of them is not reported.

``lexicon/substitutes.txt`` is the table of look-alike and homophone substitutes
(``substitutes``: ``薇信|微信``) and ``lexicon/condemnation.txt`` the words that tell
condemnation from promotion (``condemnation``); a folder without them uses the shipped
ones.

A ``Lexicon`` is an immutable value. The review service persists the terms people add
and remove, and builds the lexicon in force as (shipped + added) - removed; its
``version`` is a hash of the content, so equal content always has the same version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from services.review.norms.condemnation import CondemnationRules, parse_condemnation_lines
from services.review.norms.findings import Category, Severity
from services.review.norms.normalise import normalise_term
from services.review.norms.substitutes import Substitute, parse_substitute_lines

__all__ = [
    "DEFAULT_SEVERITY",
    "Lexicon",
    "LexiconError",
    "Term",
    "parse_lexicon_lines",
]

DEFAULT_SEVERITY: dict[Category, Severity] = {
    Category.POLITICAL: Severity.BLOCK,
    Category.SEXUAL: Severity.BLOCK,
    Category.GAMBLING_VIOLENCE: Severity.BLOCK,
    Category.RUMOUR: Severity.WARN,
    Category.SPAM: Severity.WARN,
    Category.PRIVACY: Severity.WARN,
    Category.CONFIDENTIAL: Severity.BLOCK,
}

_ALLOW_FILE = "allow.txt"
_SUBSTITUTES_FILE = "substitutes.txt"
_CONDEMNATION_FILE = "condemnation.txt"


class LexiconError(ValueError):
    """A term or a lexicon file that cannot be used."""


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry; ``key`` is its normalised form, the one that is matched."""

    text: str
    category: Category
    severity: Severity
    note: str = ""
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        key = normalise_term(self.text)
        if len(key) < 2:
            raise LexiconError(
                f"term {self.text!r} normalises to {key!r}: fewer than two characters"
            )
        object.__setattr__(self, "key", key)

    @property
    def ascii_only(self) -> bool:
        """Latin-only terms (``vx``) need word boundaries and never match across gaps."""
        return self.key.isascii()


def parse_lexicon_lines(lines: Iterable[str], category: Category, *, source: str) -> list[Term]:
    """Terms from lines in the lexicon file format; ``source`` names them in errors."""
    terms: list[Term] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        text, _, rest = line.partition("|")
        severity_text, _, note = rest.partition("|")
        severity_text = severity_text.strip()
        try:
            severity = Severity(severity_text) if severity_text else DEFAULT_SEVERITY[category]
            terms.append(Term(text.strip(), category, severity, note.strip()))
        except (ValueError, LexiconError) as error:
            raise LexiconError(f"{source}:{number}: {error}") from error
    return terms


def _shipped_directory() -> Traversable:
    return resources.files("services.review.norms").joinpath("lexicon")


def _read_substitutes(folder: Traversable) -> tuple[Substitute, ...] | None:
    file = folder.joinpath(_SUBSTITUTES_FILE)
    if not file.is_file():
        return None
    lines = file.read_text(encoding="utf-8").splitlines()
    return tuple(parse_substitute_lines(lines, source=file.name))


def _read_condemnation(folder: Traversable) -> CondemnationRules | None:
    file = folder.joinpath(_CONDEMNATION_FILE)
    if not file.is_file():
        return None
    lines = file.read_text(encoding="utf-8").splitlines()
    return parse_condemnation_lines(lines, source=file.name)


@cache
def shipped_substitutes() -> tuple[Substitute, ...]:
    """The shipped table of substitutes."""
    return _read_substitutes(_shipped_directory()) or ()


@cache
def shipped_condemnation() -> CondemnationRules:
    """The shipped condemnation rules."""
    return _read_condemnation(_shipped_directory()) or CondemnationRules()


def _merge(terms: Iterable[Term], into: dict[str, Term], *, override: bool) -> None:
    for term in terms:
        present = into.get(term.key)
        more_severe = term.severity is Severity.BLOCK and (
            present is None or present.severity is Severity.WARN
        )
        if present is None or override or more_severe:
            into[term.key] = term


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The terms in force, the allowed phrases, the substitutes, the condemnation rules,
    and a version naming that content."""

    terms: tuple[Term, ...]
    allowed: tuple[str, ...] = ()
    substitutes: tuple[Substitute, ...] = ()
    condemnation: CondemnationRules = field(default_factory=CondemnationRules)
    version: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        for term in sorted(self.terms, key=lambda t: (t.key, t.category)):
            line = f"{term.key}\t{term.category}\t{term.severity}\t{term.text}\t{term.note}\n"
            digest.update(line.encode())
        for phrase in sorted(self.allowed):
            digest.update(f"allow\t{phrase}\n".encode())
        for substitute in sorted(self.substitutes, key=lambda s: (s.key, s.canonical_key)):
            digest.update(f"substitute\t{substitute.key}\t{substitute.canonical_key}\n".encode())
        digest.update(f"condemnation\t{self.condemnation.fingerprint}\n".encode())
        object.__setattr__(self, "version", digest.hexdigest()[:16])

    @classmethod
    def build(
        cls,
        base: Iterable[Term],
        *,
        added: Iterable[Term] = (),
        removed: Iterable[str] = (),
        allowed: Iterable[str] = (),
        substitutes: Iterable[Substitute] | None = None,
        condemnation: CondemnationRules | None = None,
    ) -> Lexicon:
        """(``base`` + ``added``) - ``removed``; an added term replaces a base term
        with the same normalised form, and ``removed`` compares normalised forms.
        ``substitutes`` and ``condemnation`` default to the shipped ones."""
        by_key: dict[str, Term] = {}
        _merge(base, by_key, override=False)
        _merge(added, by_key, override=True)
        for text in removed:
            by_key.pop(normalise_term(text), None)
        allowed_keys = {normalise_term(p) for p in allowed}
        return cls(
            tuple(by_key.values()),
            tuple(sorted(k for k in allowed_keys if k)),
            tuple(substitutes) if substitutes is not None else shipped_substitutes(),
            condemnation if condemnation is not None else shipped_condemnation(),
        )

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        *,
        added: Iterable[Term] = (),
        removed: Iterable[str] = (),
    ) -> Lexicon:
        """The shipped lexicon (or the one in ``directory``) with run-time changes."""
        folder: Traversable = directory if directory is not None else _shipped_directory()
        base: list[Term] = []
        for category in Category:
            file = folder.joinpath(f"{category}.txt")
            if file.is_file():
                lines = file.read_text(encoding="utf-8").splitlines()
                base.extend(parse_lexicon_lines(lines, category, source=file.name))
        allow_file = folder.joinpath(_ALLOW_FILE)
        allowed: list[str] = []
        if allow_file.is_file():
            for line in allow_file.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    allowed.append(line.strip())
        return cls.build(
            base,
            added=added,
            removed=removed,
            allowed=allowed,
            substitutes=_read_substitutes(folder),
            condemnation=_read_condemnation(folder),
        )

    def with_changes(self, *, added: Iterable[Term] = (), removed: Iterable[str] = ()) -> Lexicon:
        """A new lexicon with ``added`` terms in force and ``removed`` ones gone."""
        return Lexicon.build(
            self.terms,
            added=added,
            removed=removed,
            allowed=self.allowed,
            substitutes=self.substitutes,
            condemnation=self.condemnation,
        )

    def find(self, text: str) -> Term | None:
        """The term in force whose normalised form equals that of ``text``."""
        key = normalise_term(text)
        return next((t for t in self.terms if t.key == key), None)

    def __len__(self) -> int:
        return len(self.terms)
