"""Comparing typed answers: what is ignored, what is significant, and what is a near-miss.

A typed answer is compared after folding what people type differently without meaning anything
different: letter case (unless the question is case-sensitive, Moodle's ``usecase``), accents,
spacing, hyphens and dashes, and soft punctuation (full stops, commas, quotes, brackets).
Everything that can change the meaning is kept: a minus sign before a number, a decimal point or
comma between digits, and symbols (``#``, ``+``, ``%``, ``$``, ``/``...): "-7" is not "7", "2.5"
is not "25" and "C#" is not "C".

Typos are never forgiven silently: a one-letter difference is as often another country,
element or person ("Austria" for "Australia") as a slip. An answer that differs from an
accepted one by a small number of letter edits is a **near-miss**: it is marked wrong, the
difference is shown, and the learner may count it as right ("it was a typo") -- Quizlet's
override, logged and rated at most Good. Numbers and symbols are never near-misses.

Every function here runs in time linear in the answer's length (answers are capped at
``questions.base.MAX_ANSWER_CHARS``); wildcards are matched without regular expressions.
"""
from __future__ import annotations

import unicodedata

# Removed wherever they appear (outside numbers): they never carry the answer.
_SOFT = frozenset(".,;:!?'\"`´‘’‚‛“”„‟«»‹›()[]{}¿¡…·")
# Read as a space between words ("Sino-Soviet" = "Sino Soviet"); a minus before a number is kept.
_DASHES = frozenset("-‐‑‒–—―_")
_MINUS = frozenset("-‐‑‒–—―\u2212\ufe63\uff0d")


def _fold_chars(text: str, case_sensitive: bool) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    chars = [c for c in decomposed if not unicodedata.combining(c)]
    out: list[str] = []
    n = len(chars)
    for i, c in enumerate(chars):
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < n else ""
        if c in ".," and before.isdigit() and after.isdigit():
            out.append(c)  # 2.5, 1,000: part of the number
        elif c in _MINUS and after.isdigit() and (not before or before.isspace() or before in "([$€£¥"):
            out.append("-")  # a sign, not a hyphen
        elif c in _DASHES or c in _MINUS or c.isspace():
            out.append(" ")
        elif c in _SOFT:
            continue
        else:
            out.append(c)
    folded = "".join(out)
    return folded if case_sensitive else folded.casefold()


def fold(text: str, case_sensitive: bool = False) -> str:
    """The comparable form of ``text``: case (unless ``case_sensitive``), accents, spacing, dashes and
    soft punctuation folded; signs, decimal points and symbols kept."""
    return " ".join(_fold_chars(text, case_sensitive).split()).replace(" %", "%")


def matches(given: str, expected: str, case_sensitive: bool = False) -> bool:
    """True when ``given`` is ``expected`` up to what ``fold`` ignores. No typo allowance."""
    g = fold(given, case_sensitive)
    return bool(g) and g == fold(expected, case_sensitive)


def wildcard_matches(given: str, pattern: str, case_sensitive: bool = False) -> bool:
    """Moodle's short-answer wildcard: ``*`` (or a run of them) stands for any text, ``\\*`` is a
    literal star (``question/type/shortanswer/question.php``, ``compare_string_with_wildcard``).

    Each literal piece is folded as ``fold`` does; the pieces are then found left to right (the
    first as a prefix, the last as a suffix): linear time, whatever the pattern.
    """
    pieces = _wildcard_pieces(pattern)
    text = fold(given, case_sensitive)
    if len(pieces) == 1:
        return bool(text) and text == " ".join(_fold_chars(pieces[0], case_sensitive).split())
    folded = [_fold_piece(p, case_sensitive, first=i == 0, last=i == len(pieces) - 1) for i, p in enumerate(pieces)]
    head, *middle, tail = folded
    if not text.startswith(head):
        return False
    pos = len(head)
    for piece in middle:
        found = text.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return len(text) - pos >= len(tail) and text.endswith(tail)


def _wildcard_pieces(pattern: str) -> list[str]:
    """``pattern`` split on unescaped runs of ``*``, with ``\\*`` turned into a literal star."""
    pieces, current, i = [], [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] == "*":
            current.append("*")
            i += 2
            continue
        if c == "*":
            pieces.append("".join(current))
            current = []
            while i < len(pattern) and pattern[i] == "*":
                i += 1
            continue
        current.append(c)
        i += 1
    pieces.append("".join(current))
    return pieces


def has_wildcard(pattern: str) -> bool:
    return len(_wildcard_pieces(pattern)) > 1


def _fold_piece(piece: str, case_sensitive: bool, *, first: bool, last: bool) -> str:
    """A wildcard piece folded, keeping one space at an inner edge ("Port *" needs the space)."""
    folded = _fold_chars(piece, case_sensitive)
    core = " ".join(folded.split())
    if not first and folded[:1].isspace() and core:
        core = " " + core
    if not last and folded[-1:].isspace() and core:
        core += " "
    return core


def typo_allowance(expected: str) -> int:
    """Letter edits that make a near-miss of a (folded) answer this long: none up to 4 letters,
    1 up to 11, 2 from 12 ("1929" vs "1939" and "Mao" vs "Man" are simply wrong)."""
    n = len(expected)
    if n <= 4:
        return 0
    return 1 if n < 12 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one), capped at limit+1.
    Only the diagonal band of width ``limit`` is computed: O(len * limit)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    big = limit + 1
    prev2: dict[int, int] = {}
    prev = {j: j for j in range(min(len(b), limit) + 1)}
    for i in range(1, len(a) + 1):
        cur: dict[int, int] = {}
        if i <= limit:
            cur[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev.get(j, big) + 1, cur.get(j - 1, big) + 1, prev.get(j - 1, big) + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2.get(j - 2, big) + 1)
            cur[j] = value
        if min(cur.values(), default=big) > limit:
            return big
        prev2, prev = prev, cur
    return min(prev.get(len(b), big), big)


def _letters_only(folded: str) -> bool:
    return all(c.isalpha() or c == " " for c in folded)


def near_miss(given: str, accepted: list[str], case_sensitive: bool = False) -> str:
    """The accepted answer that ``given`` misses by a small slip of letters, or "".

    Only words are near-misses: if either side holds a digit or a symbol, a difference is a
    different answer ("-7"/"7", "2.5"/"25", "C#"/"C"), never a typo.
    """
    g = fold(given, case_sensitive)
    if not g or not _letters_only(g):
        return ""
    for answer in accepted:
        e = fold(answer, case_sensitive)
        allowance = typo_allowance(e)
        if allowance and _letters_only(e) and g != e and edit_distance(g, e, allowance) <= allowance:
            return answer
    return ""


def difference(given: str, expected: str) -> list[tuple[str, str]]:
    """``given`` against ``expected`` as (kind, text) runs for display: "same", "extra" (typed but
    not expected), "missing" (expected but not typed). Case-insensitive alignment of the raw texts;
    both are short (capped), and difflib's matcher runs in well under a millisecond on them."""
    from difflib import SequenceMatcher

    out: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, given.casefold(), expected.casefold(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("same", given[i1:i2]))
            continue
        if i2 > i1:
            out.append(("extra", given[i1:i2]))
        if j2 > j1:
            out.append(("missing", expected[j1:j2]))
    return out
