"""Benchmark of the content-norm checker: 20,000 terms against a 20,000-character article.

Run: ``.venv/bin/python bench/norms.py [--scans N]`` (default 30; ``BENCH_QUICK=1``: 3
scans, one run). Prints the lexicon and automaton build times, then, in each run, the
median time of N scans of (a) a bare ``ahocorasick_rs`` automaton over the same terms on
the raw text (the baseline) and (b) the full ``NormChecker.check`` (normalisation,
lexicon rules, personal-data detectors), interleaved, and their ratio; the harness shows
the median, min and max over the runs after a warm-up. Goal (#15): the full check costs
at most 10x the bare automaton scan.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from ahocorasick_rs import AhoCorasick, MatchKind

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support.harness import Goal, note, pick, repeat, report  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from services.review.norms import (  # noqa: E402
    Category,
    Lexicon,
    NormChecker,
    Severity,
    Term,
)

SENTENCES = ROOT / "tests" / "unit" / "review" / "data" / "business_sentences.txt"
TERM_COUNT = 20_000
ARTICLE_LENGTH = 20_000
SEED = 20_260_501
GOAL = Goal("<=", 10, "x")
FIELDS = (
    *("year", "month", "day", "hour", "minute", "pct", "pct2", "n", "n2", "amount", "wan"),
    *("yi", "contract", "order", "project", "credit_code", "hotline", "landline", "version"),
)
VIOLATIONS = [
    "加我微信",
    "網 賭",
    "手机13912345678",
    "震惊！",
    "内幕\u200b消息",
    "身份证号11010519491231002X",
]


def synthetic_texts(count: int, rng: random.Random) -> list[str]:
    """Distinct 3-6 character strings of CJK ideographs."""
    texts: dict[str, None] = {}
    while len(texts) < count:
        texts["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(3, 6)))] = None
    return list(texts)


def as_terms(texts: list[str]) -> list[Term]:
    """Terms spread over the categories (normalising each one)."""
    categories = list(Category)
    return [
        Term(text, categories[i % len(categories)], Severity.WARN) for i, text in enumerate(texts)
    ]


def article(rng: random.Random) -> str:
    """Ordinary business sentences (numbers filled in) with a few violations mixed in."""
    templates = [
        line.strip()
        for line in SENTENCES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts: list[str] = []
    total = 0
    while total < ARTICLE_LENGTH:
        template = rng.choice(templates)
        fields = {name: str(rng.randint(1, 2030)) for name in FIELDS}
        sentence = template.format(**fields)
        if rng.random() < 0.02:
            sentence += rng.choice(VIOLATIONS) + "。"
        parts.append(sentence)
        total += len(sentence)
    return "".join(parts)[:ARTICLE_LENGTH]


def scans(checker: NormChecker, bare: AhoCorasick, text: str, count: int) -> dict[str, float]:
    """One run: ``count`` scans of each, interleaved; the median milliseconds of each."""
    bare_ms: list[float] = []
    full_ms: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        bare.find_matches_as_indexes(text)
        bare_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        checker.check(text)
        full_ms.append((time.perf_counter() - start) * 1000)
    bare_median, full_median = statistics.median(bare_ms), statistics.median(full_ms)
    return {"bare_ms": bare_median, "full_ms": full_median, "ratio": full_median / bare_median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=pick(30, 3), help="scans of each per run")
    count = parser.parse_args().scans
    rng = random.Random(SEED)
    since = "since reset" if reset_peak() else "since start"

    start = time.perf_counter()
    shipped = Lexicon.load()
    load_ms = (time.perf_counter() - start) * 1000
    texts = synthetic_texts(TERM_COUNT - len(shipped), rng)
    start = time.perf_counter()
    extra = as_terms(texts)
    lexicon = shipped.with_changes(added=extra)
    lexicon_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    checker = NormChecker(lexicon)
    build_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    changed = lexicon.with_changes(added=[Term("运行时新增词", Category.SPAM, Severity.WARN)])
    NormChecker(changed)
    change_ms = (time.perf_counter() - start) * 1000
    keys = [t.key for t in lexicon.terms]
    start = time.perf_counter()
    bare = AhoCorasick(keys, matchkind=MatchKind.LeftmostLongest)
    bare_build_ms = (time.perf_counter() - start) * 1000
    text = article(rng)
    result = checker.check(text)

    note(f"lexicon: {len(lexicon):,} terms (version {lexicon.version}); text: {len(text):,} chars")
    note(f"build:  shipped lexicon load        {load_ms:8.1f} ms")
    note(f"        {len(extra):,} more Terms + Lexicon {lexicon_ms:8.1f} ms  (normalise, hash)")
    note(f"        NormChecker (automaton)     {build_ms:8.1f} ms")
    note(f"        add 1 term + new checker    {change_ms:8.1f} ms  (run-time change)")
    note(f"        bare ahocorasick_rs build   {bare_build_ms:8.1f} ms")
    rules = ", ".join(sorted({f.rule_id for f in result.findings}))
    note(f"findings: {len(result.findings)} ({rules})")
    note(f"scans: {count} of each per run, interleaved (median per run, ms)")

    figures = repeat(
        lambda: scans(checker, bare, text, count),
        warmup=lambda: scans(checker, bare, text, max(3, count // 3)),
    )
    report("norms.bare_scan", figures["bare_ms"], unit="ms", label="(a) bare automaton scan")
    report("norms.full_check", figures["full_ms"], unit="ms", label="(b) full check()")
    report("norms.full_vs_bare", figures["ratio"], GOAL, label="ratio (b)/(a)")
    report("norms.peak_rss", own_peak_mb(), unit="MB", label=f"peak RSS ({since})")


if __name__ == "__main__":
    main()
