"""Tolerant comparison of typed answers.

Learners type on phones, without accents and with small slips; a typed answer is compared
after folding case, accents, punctuation and spacing, and within a small edit distance that
grows with the length of the expected answer (short answers must be exact: "1929" vs "1939").
"""
from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("-", " ").replace("_", " ")
    return _SPACE.sub(" ", _PUNCT.sub("", stripped.casefold())).strip()


def typo_allowance(expected: str) -> int:
    """Edits forgiven for an answer of this (folded) length: 0 up to 4 letters, then 1, 2 from 12."""
    n = len(expected)
    if n <= 4:
        return 0
    return 1 if n < 12 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def matches(given: str, expected: str) -> bool:
    """True when ``given`` is ``expected`` up to case, accents, punctuation and small typos."""
    g, e = fold(given), fold(expected)
    if not g:
        return False
    if g == e:
        return True
    allowance = typo_allowance(e)
    return allowance > 0 and edit_distance(g, e, allowance) <= allowance


def wildcard_matches(given: str, pattern: str) -> bool:
    """Moodle short-answer wildcard: ``*`` stands for any text (``*`` alone matches anything)."""
    parts = [re.escape(fold(p)) for p in pattern.split("*")]
    return re.fullmatch(".*".join(parts), fold(given)) is not None
