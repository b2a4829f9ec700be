"""Quality checks of parsed banks (``flask bank lint``, the upload preview's notes): pure, no Flask.

A bank can be valid (``validate_bank``) and still teach badly. Each check here reads the parsed
model (``model.Bank``/``Question``) and returns ``Finding``s naming the file, the question's line
(``Question.line``, as the readers report it), the question id and what is wrong.

Checks and their levels. An **error** is something that breaks the question for the learner
whatever the context, so CI fails on it and a teacher should not publish it; a **warning** is a
heuristic a person has to judge (it may be a false positive). ``flask bank lint`` exits 1 on an
error (CI runs it on questions/); the upload preview shows every finding as a note that never
blocks saving (``services.imports.lint_notes``: errors as warnings, warnings as notices).

- ``duplicate`` (error): two questions ask exactly the same thing -- the same normalised prompt
  (or front) with the same choices, items or pairs, or a cloze with the same text and deletions
  -- in one bank or across banks; or two files with the same bank id (loading one replaces the
  other). A learner meets the same card twice on separate schedules, and each answer spoils the
  other. (``asked`` says what is compared.)
- ``near-duplicate`` (warning): prompts at least ``NEAR_DUPLICATE`` (90) similar as rapidfuzz's
  token-sort ratio of the normalised words (so reordered words count as the same), or one prompt
  of at least ``CONTAINED_WORDS`` (4) content words whose every word is in the other, at most three
  times as long ("Sovetsko-kitayskiye otnosheniya" inside "What does the Russian term
  sovetsko-kitayskiye otnosheniya refer to?"); each question is reported once, against an earlier
  one. Two questions on one fact can be deliberate (a true/false twin of a numeric question), so a
  person decides.
- ``same-id`` across banks: an error when the two questions also have the same type and answer
  (``Question.answer_hash``): the same question reworded, asked twice; a warning otherwise (ids
  need only be unique within a bank, but a repeated one usually marks a copied question).
- ``answer-in-prompt`` (error): the prompt gives the answer away -- an accepted short answer, the
  right choice (when no wrong choice is named too), the right number, a flashcard's back, or a
  cloze deletion's answer shown elsewhere in the text of the same card (hint included).
- ``ordering-years`` (error when every item carries a year and the years run strictly up, or
  down, in the right order: the order is given away as surely as an answer in the prompt;
  warning when only some items do, or with ties).
- ``ordering-words`` (warning): items carrying sequence words ("first", "then", "finally",
  "later", ...). Often a giveaway, sometimes part of a name ("the First Five-Year Plan").
- ``single-answer`` (warning): a short answer with one accepted form of ``MULTI_WORD`` (3) words
  or more, or a cloze deletion as long: a learner who knows the fact types it differently; list
  variants (or shorten the deletion).
- ``copied-explanation`` (warning): the explanation repeats a run of ``COPIED_RUN`` (12) or more
  consecutive words of the evidence; explanations are meant to be in the bank's own words
  (bank-format.md), but a copied run does not mislead the learner.

Cost: every per-question check is linear in the question's text. Duplicates are found by hashing
(linear); near-duplicates are compared only within blocks: each question is scored against the
earlier questions sharing one of its ``BLOCK_KEYS`` (4) rarest words, and words found in more than
``BLOCK_CAP`` (128) questions are not used as keys, so each question meets at most
``BLOCK_KEYS * BLOCK_CAP`` candidates, scored in one rapidfuzz call; containment looks up the
questions having all of its rare words, and those indexed under a pair of its ``PAIR_WORDS`` (16)
rarest words (their own two rarest). Time is linear in the number of questions. A near-duplicate
pair is missed only when none of the later question's rarest words is in the earlier one, which
two prompts 90 % alike cannot do unless both are made only of words common to over BLOCK_CAP
questions: on the benchmark's 10,000 questions the blocked search finds every pair the unblocked
one finds. bench/bench_lint.py measures it (docs/performance.md, section 6).
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from ..domain.questions.cloze import segments
from .model import Bank, Question

NEAR_DUPLICATE = 90  # rapidfuzz token-sort ratio (0-100) from which two prompts are near-duplicates
COPIED_RUN = 12  # consecutive words shared by explanation and evidence
CONTAINED_WORDS = 4  # content words from which a prompt inside another is a near-duplicate
MULTI_WORD = 3  # words from which a single accepted answer needs variants
BLOCK_KEYS = 4  # rarest words of a question used to find its near-duplicate candidates
BLOCK_CAP = 128  # a word in more questions than this is too common to be a key
PAIR_WORDS = 16  # rarest words of a question whose pairs find the shorter prompts inside it

ERROR, WARNING = "error", "warning"

# Words that say where an item stands in a sequence (ordering items).
SEQUENCE_WORDS = frozenset({
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "then", "next",
    "finally", "later", "lastly", "last", "afterwards", "afterward", "subsequently", "eventually", "initially",
    "earlier", "ultimately", "thereafter",
})
# Function words: no block key, and an answer made only of them is not looked for in the prompt.
STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but", "not", "no",
    "is", "was", "were", "are", "be", "been", "being", "did", "does", "do", "what", "which", "who", "whom", "whose",
    "when", "where", "why", "how", "this", "that", "these", "those", "it", "its", "as", "into", "than", "there",
    "their", "his", "her", "he", "she", "they", "them", "we", "you", "i",
})
_WORD = re.compile(r"\w+")
# [^<>], not [^>]: from each "<" the old pattern ran to the end of a text with no ">", so a text of
# many "<" took quadratic time; a "<" now ends the attempt, and each character is scanned once.
_TAG = re.compile(r"<[^<>]*>")
_MARKDOWN = re.compile(r"[*`#~]+")
_YEAR = re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?:s|'s)?(?!\d|[.,]\d)")


@dataclass(frozen=True)
class Finding:
    """One lint finding. ``other`` names the question it repeats (duplicate checks)."""

    level: str
    check: str
    file: str
    line: int | None
    bank: str
    question: str | None
    message: str
    field: str | None = None
    other: dict[str, Any] | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f"question {self.question!r}: " if self.question else ""
        return f"{where}: {self.level}: {who}{self.message} [{self.check}]"

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "check": self.check, "file": self.file, "line": self.line,
                "bank": self.bank, "question": self.question, "field": self.field,
                "message": self.message, "other": self.other}


# -- text ----------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """A field's text; anything that is not a plain value (a malformed upload) reads as empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def words(value: Any, fmt: str = "plain") -> list[str]:
    """Lower-cased words of ``value`` without accents, markup or punctuation. A cheaper relative of
    ``domain.text.fold`` (regular expressions instead of a loop over characters): the lint reads
    every prompt, explanation and quote of a 10,000-question upload."""
    raw = _text(value)
    if fmt == "html":
        raw = html.unescape(_TAG.sub(" ", raw))
    elif fmt == "markdown":
        raw = _MARKDOWN.sub(" ", raw)
    if not raw.isascii():
        raw = "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(c))
    return _WORD.findall(raw.casefold())


def _norm(value: Any, fmt: str = "plain") -> str:
    return " ".join(words(value, fmt))


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` as whole words of ``haystack`` (both normalised)."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _meaningful(needle: str) -> bool:
    return len(needle) >= 2 and any(w not in STOPWORDS for w in needle.split())


# -- what a question asks -------------------------------------------------------------------------

def asked(q: Question) -> tuple[str, str]:
    """(normalised text the question asks, exact key).

    The text is the prompt (a flashcard's front, a cloze's text with its answers filled in); for
    ordering and matching the items or pairs too, since their prompts are often generic ("Match
    each event to its year"). The key adds what makes two questions with the same text different
    questions: a cloze's deletions, the choices offered, the items, the pairs. Same key: an exact
    duplicate; same text only (a generic "Which of these is true?"): a near-duplicate to judge.
    """
    f, fmt = q.fields, q.format
    if q.type == "flashcard":
        text = _norm(f.get("front"), fmt)
        return text, text
    if q.type == "cloze":
        parts = segments(_text(f.get("text")))
        text = " ".join(_norm(s.text, fmt) for s in parts)
        blanks = sorted(_norm(s.text, fmt) for s in parts if s.index is not None)
        return text, text + "\x00" + "|".join(blanks)
    text = _norm(f.get("prompt"), fmt)
    if q.type in ("multiple_choice", "multiple_select"):
        return text, text + "\x00" + "|".join(sorted(_norm(c, fmt) for c in _list(f.get("choices"))))
    if q.type == "ordering":
        items = sorted(_norm(i, fmt) for i in _list(f.get("items")))
        return " ".join([text, *items]), text + "\x00" + "|".join(items)
    if q.type == "matching":
        pairs = sorted(" ".join(_norm(side, fmt) for side in _list(p)) for p in _list(f.get("pairs")))
        return " ".join([text, *pairs]), text + "\x00" + "|".join(pairs)
    return text, text


# -- per question --------------------------------------------------------------------------------

Problem = tuple[str, str, str | None, str]  # level, check, field, message


def answer_in_prompt(q: Question) -> list[Problem]:
    """The answer (or the right choice) written in the question's own prompt."""
    f, fmt = q.fields, q.format
    prompt = _norm(f.get("prompt"), fmt)
    found: list[Problem] = []

    def flag(field: str, what: str) -> None:
        found.append((ERROR, "answer-in-prompt", field, what))

    if q.type == "short_answer":
        weights = f.get("weights") if isinstance(f.get("weights"), dict) else {}
        for answer in _list(f.get("answers")):
            raw = _text(answer)
            if "*" in raw.replace("\\*", "") or _weight(weights.get(raw, 1.0)) < 1:
                continue  # a wildcard pattern or a partial-credit form is no giveaway by itself
            needle = _norm(raw, fmt)
            if _meaningful(needle) and _contains(prompt, needle):
                flag("prompt", f"the prompt contains the accepted answer {raw!r}")
                break
    elif q.type in ("multiple_choice", "multiple_select"):
        choices = [_text(c) for c in _list(f.get("choices"))]
        right = {_text(f.get("answer"))} if q.type == "multiple_choice" else {_text(a) for a in _list(f.get("answers"))}
        named = [c for c in choices if _meaningful(_norm(c, fmt)) and _contains(prompt, _norm(c, fmt))]
        if named and all(c in right for c in named):  # a wrong choice named too: no giveaway
            flag("prompt", f"the prompt contains the right choice {named[0]!r} and no wrong one")
    elif q.type == "numeric":
        answer = f.get("answer")
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            shown = str(int(answer)) if float(answer).is_integer() else str(answer)
            if _contains(prompt, _norm(shown)):
                flag("prompt", f"the prompt contains the answer {shown}")
    elif q.type == "flashcard":
        back, front = _norm(f.get("back"), fmt), _norm(f.get("front"), fmt)
        if _meaningful(back) and _contains(front, back):
            flag("front", "the front contains the whole back")
    elif q.type == "cloze":
        found += _cloze_giveaways(_text(f.get("text")), fmt)
    return found


def _weight(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 1.0


MAX_GIVEAWAY_CARDS = 50  # cards of one cloze checked for giveaways; each check reads the whole text


def _cloze_giveaways(text: str, fmt: str) -> list[Problem]:
    """A deletion whose answer the same card shows elsewhere: in the text, another deletion (shown
    filled in on this card) or a hint. Each part is normalised once, and only the first
    MAX_GIVEAWAY_CARDS cards are checked: a text of thousands of deletion numbers (each a card)
    would otherwise cost cards x text, quadratic in its length."""
    parts = segments(text)
    texts = [_norm(s.text, fmt) for s in parts]
    hints = [_norm(s.hint or "", fmt) if s.index is not None else "" for s in parts]
    found: list[Problem] = []
    for card in sorted({s.index for s in parts if s.index is not None})[:MAX_GIVEAWAY_CARDS]:
        shown = " ".join(hints[i] if s.index == card else texts[i] for i, s in enumerate(parts))
        for i, s in enumerate(parts):
            needle = texts[i]
            if s.index == card and _meaningful(needle) and _contains(shown, needle):
                found.append((ERROR, "answer-in-prompt", "text",
                              f"the answer of deletion c{card} ({s.text.strip()!r}) is shown elsewhere on its card"))
                break
    return found


def ordering_giveaways(q: Question) -> list[Problem]:
    """Ordering items whose years or sequence words tell the order."""
    if q.type != "ordering":
        return []
    items = [_text(i) for i in _list(q.fields.get("items"))]
    found: list[Problem] = []
    years = [(n, int(m.group(1))) for n, item in enumerate(items) if (m := _YEAR.search(item))]
    if len(years) >= 2:
        values = [y for _, y in years]
        rising = all(a < b for a, b in zip(values, values[1:]))
        falling = all(a > b for a, b in zip(values, values[1:]))
        monotone = all(a <= b for a, b in zip(values, values[1:])) or all(a >= b for a, b in zip(values, values[1:]))
        listed = ", ".join(str(y) for y in values)
        if (rising or falling) and len(years) == len(items):
            found.append((ERROR, "ordering-years", "items",
                          f"every item carries a year and the years ({listed}) give the whole order away"))
        elif monotone:
            found.append((WARNING, "ordering-years", "items",
                          f"{len(years)} of {len(items)} items carry years in the right order ({listed}), "
                          "which gives that much of the order away"))
    cues = [(n, sorted(SEQUENCE_WORDS.intersection(words(item)))) for n, item in enumerate(items)]
    cues = [(n, w) for n, w in cues if w]
    if cues:
        listed = "; ".join(f"item {n + 1} {', '.join(repr(x) for x in w)}" for n, w in cues)
        found.append((WARNING, "ordering-words", "items",
                      f"items carry sequence words that hint at the order ({listed})"))
    return found


def single_answer(q: Question) -> list[Problem]:
    """A typed answer of several words accepted in one form only."""
    f = q.fields
    if q.type == "short_answer":
        answers = [_text(a) for a in _list(f.get("answers"))]
        if len(answers) == 1 and "*" not in answers[0].replace("\\*", "") and len(answers[0].split()) >= MULTI_WORD:
            return [(WARNING, "single-answer", "answers",
                     f"the only accepted answer, {answers[0]!r}, has {len(answers[0].split())} words: "
                     "list the other ways a learner may write it")]
    elif q.type == "cloze":
        for s in segments(_text(f.get("text"))):
            if s.index is not None and len(s.text.split()) >= MULTI_WORD:
                return [(WARNING, "single-answer", "text",
                         f"deletion c{s.index} ({s.text.strip()!r}) has {len(s.text.split())} words and one "
                         "accepted form: blank fewer words, or ask it as a short answer with variants")]
    return []


def copied_explanation(q: Question) -> list[Problem]:
    """The explanation repeating ``COPIED_RUN`` or more consecutive words of one evidence quote."""
    said = words(q.explanation, q.format)
    if len(said) < COPIED_RUN:
        return []
    grams: set[tuple[str, ...]] = set()
    for quote in [q.evidence] if isinstance(q.evidence, str) else _list(q.evidence):
        w = words(quote)
        grams.update(tuple(w[i:i + COPIED_RUN]) for i in range(len(w) - COPIED_RUN + 1))
    length = at = run = 0  # the longest run of copied grams, and where it starts
    for i in range(len(said) - COPIED_RUN + 1):
        run = run + 1 if tuple(said[i:i + COPIED_RUN]) in grams else 0
        if run > length:
            length, at = run, i - run + 1
    if not length:
        return []
    length += COPIED_RUN - 1  # in words
    excerpt = " ".join(said[at:at + min(length, 16)]) + (" …" if length > 16 else "")
    return [(WARNING, "copied-explanation", "explanation",
             f"the explanation copies {length} consecutive words of the evidence (\"{excerpt}\"); "
             "say it in the bank's own words")]


QUESTION_CHECKS = (answer_in_prompt, ordering_giveaways, single_answer, copied_explanation)


# -- across questions ----------------------------------------------------------------------------

@dataclass
class _Entry:
    file: str
    bank: str
    q: Question
    text: str
    key: str

    def ref(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.q.line, "bank": self.bank, "question": self.q.id}

    def where(self) -> str:
        return f"'{self.bank}/{self.q.id}' ({self.file}:{self.q.line})" if self.q.line else \
            f"'{self.bank}/{self.q.id}' ({self.file})"


def _finding(e: _Entry, level: str, check: str, field: str | None, message: str, other: _Entry | None = None):
    return Finding(level, check, e.file, e.q.line, e.bank, e.q.id, message, field,
                   other.ref() if other is not None else None)


def _field_of(q: Question) -> str:
    return {"flashcard": "front", "cloze": "text"}.get(q.type, "prompt")


def duplicates(entries: Sequence[_Entry]) -> list[Finding]:
    """Exact repeats (by key), same ids across banks, and near-duplicates (blocked, see the module)."""
    found: list[Finding] = []
    by_key: dict[str, _Entry] = {}
    by_id: dict[str, _Entry] = {}
    exact: set[int] = set()
    for n, e in enumerate(entries):
        if not e.text:
            continue
        first = by_key.setdefault(e.key, e)
        if first is not e:
            exact.add(n)
            same_id = " (and has the same id)" if first.q.id == e.q.id else ""
            found.append(_finding(e, ERROR, "duplicate", _field_of(e.q),
                                  f"asks exactly what {first.where()} asks{same_id}", first))
        twin = by_id.setdefault(e.q.id, e)
        if twin is not e and twin.bank != e.bank and twin.key != e.key:
            if _answer(twin.q) is not None and _answer(twin.q) == _answer(e.q):
                found.append(_finding(e, ERROR, "same-id", "id",
                                      f"repeats {twin.where()}: the same id and the same answer, reworded", twin))
            else:
                found.append(_finding(e, WARNING, "same-id", "id",
                                      f"has the id of {twin.where()} in another bank, with another prompt and "
                                      "answer", twin))
    found += _near_duplicates(entries, exact)
    return found


def _answer(q: Question) -> tuple[str, str] | None:
    """What decides right and wrong (``Question.answer_hash``), None for an unknown type."""
    try:
        return q.type, q.answer_hash()
    except (KeyError, TypeError, ValueError):
        return None


def _near_duplicates(entries: Sequence[_Entry], skip: set[int]) -> list[Finding]:
    """Each question against earlier ones sharing a rare word with it (see the module's docstring)."""
    every = [set(e.text.split()) for e in entries]
    content = [every[n] - STOPWORDS for n in range(len(entries))]
    df = Counter(t for ts in content for t in ts)
    sorted_text = [" ".join(sorted(e.text.split())) for e in entries]  # token-sort form
    postings: dict[str, list[int]] = defaultdict(list)  # word -> earlier questions with it
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)  # two rarest words -> earlier questions
    found: list[Finding] = []
    for n, e in enumerate(entries):
        rare = sorted((t for t in content[n] if df[t] <= BLOCK_CAP), key=lambda t: (df[t], t))
        if n not in skip and e.text and rare:
            candidates = sorted(set().union(*(postings.get(t, ()) for t in rare[:BLOCK_KEYS])))
            best = process.extractOne(sorted_text[n], [sorted_text[j] for j in candidates], scorer=fuzz.ratio,
                                      processor=None, score_cutoff=NEAR_DUPLICATE) if candidates else None
            if best is not None:
                other = entries[candidates[best[2]]]
                found.append(_finding(e, WARNING, "near-duplicate", _field_of(e.q),
                                      f"is {best[1]:.0f}% like {other.where()}: "
                                      f"{_excerpt(e.text)!r} / {_excerpt(other.text)!r}", other))
            elif (j := _contained(n, rare, every, content, postings, by_pair)) is not None:
                other = entries[j]
                found.append(_finding(e, WARNING, "near-duplicate", _field_of(e.q),
                                      f"repeats the words of {other.where()} (every word of one prompt is in "
                                      f"the other): {_excerpt(e.text)!r} / {_excerpt(other.text)!r}", other))
        for t in rare:
            postings[t].append(n)
        if len(rare) >= 2:
            by_pair[rare[0], rare[1]].append(n)
    return found


def _contained(n: int, rare: list[str], every: list[set[str]], content: list[set[str]],
               postings: dict[str, list[int]], by_pair: dict[tuple[str, str], list[int]]) -> int | None:
    """An earlier question with every word of question ``n`` (it is in the postings of all of
    ``n``'s rare words), or whose words are all in ``n`` (its two rarest words, under which it is
    indexed, are a pair of ``n``'s PAIR_WORDS rarest). Short lists: no word is in over BLOCK_CAP
    questions, and at most PAIR_WORDS * (PAIR_WORDS - 1) / 2 pairs are looked up."""
    if len(content[n]) < CONTAINED_WORDS:
        inside: set[int] = set()
    else:
        firsts = rare[:PAIR_WORDS]
        pairs = ((a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:])
        inside = {j for pair in pairs for j in by_pair.get(pair, ())}
    around = set(postings.get(rare[0], ())).intersection(*(postings.get(t, ()) for t in rare[1:BLOCK_KEYS]))
    for j in sorted(inside | around):
        small, large = sorted((n, j), key=lambda i: len(every[i]))
        if (len(content[small]) >= CONTAINED_WORDS and every[small] <= every[large]
                and 3 * len(every[small]) >= len(every[large])):
            return j
    return None


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


# -- entry points ---------------------------------------------------------------------------------

def lint(banks: Iterable[tuple[str, Bank]]) -> list[Finding]:
    """Every finding of the banks, given as (file, bank) pairs, each checked alone and against the
    others; sorted by file (in the order given) and line."""
    banks = list(banks)
    found: list[Finding] = []
    entries: list[_Entry] = []
    seen_banks: dict[str, str] = {}
    for file, bank in banks:
        first = seen_banks.setdefault(bank.id, file)
        if first != file:
            found.append(Finding(ERROR, "duplicate", file, None, bank.id, None,
                                 f"has the bank id {bank.id!r} of {first}: loading one replaces the other", "id",
                                 {"file": first, "line": None, "bank": bank.id, "question": None}))
        for q in bank.questions:
            for level, check, field, message in (p for fn in QUESTION_CHECKS for p in fn(q)):
                found.append(Finding(level, check, file, q.line, bank.id, q.id, message, field))
            text, key = asked(q)
            entries.append(_Entry(file, bank.id, q, text, key))
    found += duplicates(entries)
    order = {file: n for n, (file, _) in enumerate(banks)}
    found.sort(key=lambda f: (order.get(f.file, 0), f.line or 0, f.question or "", f.check))
    return found


def lint_bank(bank: Bank, file: str) -> list[Finding]:
    return lint([(file, bank)])


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level == ERROR for f in findings)
