"""Benchmark of the content-norm checker: 20,000 terms against a 20,000-character article.

Run: ``.venv/bin/python bench/norms.py [--runs N]``. Prints the lexicon and automaton
build times, then (a) a bare ``ahocorasick_rs`` scan of the raw text and (b) the full
``NormChecker.check`` (normalisation, lexicon rules, personal-data detectors), best and
median of N runs, and their ratio. Target: full check under 20 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ahocorasick_rs import AhoCorasick, MatchKind

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
TARGET_MS = 20.0
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


def timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """Best and median wall time in milliseconds."""
    function()  # warm caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    rng = random.Random(SEED)

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
    bare_best, bare_median = timed(lambda: bare.find_matches_as_indexes(text), runs)
    full_best, full_median = timed(lambda: checker.check(text), runs)

    print(f"lexicon: {len(lexicon):,} terms (version {lexicon.version}); text: {len(text):,} chars")
    print(f"build:  shipped lexicon load        {load_ms:8.1f} ms")
    print(f"        {len(extra):,} more Terms + Lexicon {lexicon_ms:8.1f} ms  (normalise, hash)")
    print(f"        NormChecker (automaton)     {build_ms:8.1f} ms")
    print(f"        add 1 term + new checker    {change_ms:8.1f} ms  (run-time change)")
    print(f"        bare ahocorasick_rs build   {bare_build_ms:8.1f} ms")
    print(f"scan ({runs} runs)                     best     median")
    print(f"  (a) bare ahocorasick_rs scan    {bare_best:8.2f} {bare_median:8.2f} ms")
    print(f"  (b) full check()                {full_best:8.2f} {full_median:8.2f} ms")
    ratio_best, ratio_median = full_best / bare_best, full_median / bare_median
    print(f"  ratio full/bare                 {ratio_best:8.1f} {ratio_median:8.1f} x")
    rules = ", ".join(sorted({f.rule_id for f in result.findings}))
    print(f"findings: {len(result.findings)} ({rules})")
    verdict = "OK" if full_median < TARGET_MS else "OVER TARGET"
    print(f"target: full check under {TARGET_MS:.0f} ms -> {verdict}")


if __name__ == "__main__":
    main()
