"""Normalising and tokenising, shared by the index and the query so both databases see the same words.

PostgreSQL's parser and SQLite's unicode61 tokenizer disagree about hyphens,
file names, e-mail addresses and accents. We hand both the same pre-split,
case-folded, accent-free words separated by single spaces, so their token sets
(and so the result sets) are identical.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from taxonomy.models import normalize_label

_WORD = re.compile(r"[^\W_]+")
# Longer tokens are noise (hashes, base64) and PostgreSQL refuses words over 2 KB anyway.
MAX_TOKEN = 60


def tokens(text: str) -> list[str]:
    """The words of `text`, normalised like vocabulary labels."""
    return [t for t in _WORD.findall(normalize_label(text)) if len(t) <= MAX_TOKEN]


def index_text(parts: Iterable[str]) -> str:
    return " ".join(t for part in parts if part for t in tokens(part))


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: per word, padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(left: str, right: str) -> float:
    """pg_trgm's similarity(), so "did you mean" agrees on SQLite and PostgreSQL."""
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
