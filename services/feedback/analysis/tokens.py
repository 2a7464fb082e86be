"""Word segmentation with jieba and the company's own dictionary.

jieba is slow to start (about 0.7 s) and logs to stderr while it does, so one dedicated
``jieba.Tokenizer`` is built lazily, once, with the user dictionary shipped in ``data/``;
the global ``jieba`` dictionary is never touched.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "DOMAIN_FREQ",
    "clear_token_cache",
    "load_domain_terms",
    "load_stopwords",
    "load_user_terms",
    "read_data_lines",
    "segment",
    "tokenize",
]

_DATA = "services.feedback.analysis.data"
_lock = threading.Lock()
_tokenizer: Any = None
# A useful token holds a Chinese character or a letter; numbers and punctuation are noise.
_USEFUL_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# A domain term's frequency in the tokenizer: high enough that jieba never splits it.
DOMAIN_FREQ = 50_000
# jieba's own block pattern (``jieba.re_han_default``): it segments each such run apart.
_HAN_BLOCK_RE = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")
# Blocks whose words are kept; the cache is emptied when it is full.
BLOCK_CACHE = 50_000
_BLOCKS: dict[str, tuple[str, ...]] = {}


def read_data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file shipped in ``analysis/data``."""
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@cache
def load_stopwords() -> frozenset[str]:
    """The shipped stopword list."""
    return frozenset(read_data_lines("stopwords.txt"))


@cache
def load_user_terms() -> tuple[str, ...]:
    """The company's own terms from the shipped user dictionary."""
    return tuple(line.split()[0] for line in read_data_lines("userdict.txt"))


@cache
def load_domain_terms() -> tuple[str, ...]:
    """The domain dictionary (``data/domain_terms.txt``): words never split (数电发票 …)."""
    return tuple(line.split()[0] for line in read_data_lines("domain_terms.txt"))


def _domain_dict() -> bytes:
    """The domain dictionary as jieba user-dictionary lines, each at least ``DOMAIN_FREQ``."""
    lines = []
    for line in read_data_lines("domain_terms.txt"):
        word, *rest = line.split()
        freq = max(int(rest[0]), DOMAIN_FREQ) if rest and rest[0].isdigit() else DOMAIN_FREQ
        tag = rest[-1] if rest and not rest[-1].isdigit() else "n"
        lines.append(f"{word} {freq} {tag}")
    return "\n".join(lines).encode("utf-8")


def _get_tokenizer() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                # A file object, not a path: jieba would open the path and never close it.
                data = resources.files(_DATA).joinpath("userdict.txt").read_bytes()
                tokenizer.load_userdict(io.BytesIO(data))
                tokenizer.load_userdict(io.BytesIO(_domain_dict()))
                _tokenizer = tokenizer
    return _tokenizer


def segment(text: str) -> list[str]:
    """All jieba words of ``text``, punctuation included (for inspection and tests)."""
    if not text:
        return []
    return [w for w in _get_tokenizer().lcut(text) if w.strip()]


def clear_token_cache() -> None:
    """Forget the cached words of every block (benchmarks measure a cold start with it)."""
    _BLOCKS.clear()


def _block_tokens(block: str) -> tuple[str, ...]:
    """The content words of one jieba block (a run of Han, Latin and digits), cached."""
    words = _BLOCKS.get(block)
    if words is None:
        stop = load_stopwords()
        words = tuple(
            w
            for word in _get_tokenizer()._Tokenizer__cut_DAG(block)
            if len(w := word.strip().lower()) >= 2 and w not in stop and _USEFUL_RE.search(w)
        )
        if len(_BLOCKS) >= BLOCK_CACHE:
            _BLOCKS.clear()
        _BLOCKS[block] = words
    return words


def tokenize(text: str) -> list[str]:
    """Content words of a clean text: no stopwords, punctuation, numbers or single characters.

    Latin words are lower-cased. This is the tokenizer handed to ``TfidfVectorizer``.

    The words are jieba's (``lcut``, HMM on), made block by block as jieba itself cuts a
    text: jieba splits it at every character outside Han, Latin, digits and ``+#&._%-`` and
    segments each block on its own, so a block's words are cached and comments that share a
    clause (a product name, a stock phrase) are segmented once. Whatever lies between the
    blocks (punctuation, spaces) yields no content word.
    """
    if not text:
        return []
    out: list[str] = []
    for block in _HAN_BLOCK_RE.findall(text):
        out.extend(_block_tokens(block))
    return out
