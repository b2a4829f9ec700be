"""The shared grading corpus (tests/grading_corpus.json) run through the server's own code.

The same file is run in the browser through static/offline/grade.js
(tests/e2e/test_grading_corpus_browser.py), so offline grading and the server agree case by case.

Each case is one answer as the study page takes it: the form's values (``form``, read by the type's
``read_response`` through ``services.answers.read_answer``) or a response as the offline sync sends it
(``response``); then ``services.answers.check_answer`` (empty, unknown choice, unreadable number:
"ask again", nothing recorded) and the type's ``grade``; then the suggested rating
(``domain.rating.suggest_rating``) with no time (``suggested``) and with a fast answer of one second
against the type's prior (``suggested_fast``). ``expect`` holds what must come out. The expected key
values (score, ask-again message, near-miss, number read) were reasoned by hand, case by case, and
confirmed here; the display texts (``expected``, ``read_as``) are the server's.

The corpus also holds the rating rule's own table (``ratings``, ``typical``).
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from quizapp.domain.questions import get_type
from quizapp.domain.rating import suggest_rating, typical_seconds
from quizapp.models.content import Question
from quizapp.services.answers import check_answer, read_answer
from quizapp.services.cards import AskAgain

CORPUS_PATH = Path(__file__).resolve().parents[1] / "grading_corpus.json"
CORPUS = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
FAST_SECONDS = 1.0
TYPES = ("flashcard", "multiple_choice", "multiple_select", "true_false", "short_answer", "numeric", "cloze",
         "matching", "ordering")


class _Outcome:
    """What suggest_rating reads of an Outcome (for the rating table's rows)."""

    def __init__(self, score: float, self_rated: bool) -> None:
        self.score, self.self_rated = score, self_rated

    @property
    def correct(self) -> bool:
        return self.score >= 0.999


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """One corpus case through the server's pipeline: read, check, grade, suggest."""
    question = Question(type=case["type"], data=copy.deepcopy(case["grading"]))
    qtype = get_type(case["type"])
    ordinal = case["ordinal"]
    try:
        if "form" in case:
            form = case["form"]
            response = read_answer(question, ordinal, lambda name: list(form.get(name, [])))
        else:
            response = copy.deepcopy(case["response"])
        check_answer(question, ordinal, response)
    except AskAgain as exc:
        return {"ask_again": str(exc)}
    outcome = qtype.grade(question.data, response, ordinal)
    return {
        "ask_again": None,
        "response": response,
        "score": outcome.score,
        "correct": outcome.correct,
        "near_miss": outcome.near_miss,
        "read_as": outcome.read_as,
        "feedback": outcome.feedback,
        "self_rated": outcome.self_rated,
        "expected": outcome.expected,
        "suggested": _plain(suggest_rating(outcome, None, qtype.quick_seconds, qtype.guessable)),
        "suggested_fast": _plain(suggest_rating(outcome, FAST_SECONDS, qtype.quick_seconds, qtype.guessable)),
    }


def _plain(rating: int | None) -> int | None:
    return None if rating is None else int(rating)


def _same(got: Any, want: Any) -> bool:
    """Equal, numbers to 1e-12 relative (a number read from text may differ in its last bit)."""
    if isinstance(want, float) or isinstance(got, float):
        return (isinstance(got, (int, float)) and isinstance(want, (int, float))
                and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300))
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(_same, got, want))
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("case", CORPUS["cases"], ids=[c["id"] for c in CORPUS["cases"]])
def test_the_server_grades_each_corpus_case_as_expected(case):
    got = run_case(case)
    want = case["expect"]
    differing = {k: (got.get(k), want[k]) for k in want if not _same(got.get(k), want[k])}
    assert differing == {}


def test_the_corpus_covers_every_type_with_right_wrong_and_refused_answers():
    cases = CORPUS["cases"]
    assert sorted({c["type"] for c in cases}) == sorted(TYPES)
    for name in TYPES:
        mine = [c["expect"] for c in cases if c["type"] == name]
        assert any(e["ask_again"] is None and e["correct"] for e in mine), name
        if name != "flashcard":
            assert any(e["ask_again"] is None and not e["correct"] for e in mine), name
            assert any(e["ask_again"] for e in mine), name
    assert len(cases) >= 200
    assert len({c["id"] for c in cases}) == len(cases)
    # The tricky kinds the browser must agree on: near-misses, partial credit, Hard and Easy suggestions.
    graded = [c["expect"] for c in cases if c["expect"]["ask_again"] is None]
    assert sum(1 for e in graded if e["near_miss"]) >= 10
    assert {e["suggested"] for e in graded} == {None, 1, 2, 3}
    assert 4 in {e["suggested_fast"] for e in graded}


def test_a_wrong_expectation_in_the_corpus_would_fail():
    """The runner is not a tautology: a case with its score changed no longer matches."""
    case = next(c for c in CORPUS["cases"] if c["id"] == "short_answer/austria-is-wrong-not-typo")
    assert run_case(case)["score"] == 0.0
    assert not _same(run_case(case)["score"], 1.0)


@pytest.mark.parametrize("row", CORPUS["ratings"], ids=lambda r: r["id"])
def test_the_rating_rule_table(row):
    outcome = _Outcome(row["score"], row["self_rated"])
    assert suggest_rating(outcome, row["seconds"], row["typical"], row["guessable"]) == row["expect"]


@pytest.mark.parametrize("row", CORPUS["typical"], ids=lambda r: r["id"])
def test_the_typical_time_table(row):
    assert math.isclose(typical_seconds(row["recent"], row["prior"]), row["expect"], rel_tol=1e-12)


def test_the_type_table_matches_the_registry():
    """grade.js carries each type's prior time and whether a guess is often right (for the suggestion)."""
    registry = {name: {"quick_seconds": get_type(name).quick_seconds, "guessable": get_type(name).guessable,
                       "auto_graded": get_type(name).auto_graded} for name in TYPES}
    assert CORPUS["types"] == registry


def unicode_tables() -> str:
    """The character classes grade.js takes from Python's own Unicode database (``unicodedata``), so the
    browser folds and reads text as the server does whatever its own Unicode version: the combining marks
    that folding drops, what ``str.isspace`` and ``str.isdigit`` accept, the decimal digits' zeros (for the
    digits of other scripts), and where ``str.casefold`` differs from ``str.lower`` (ß -> ss, ς -> σ).
    Letters and decimal digits are the same in both (JavaScript's \\p{L}, \\p{N}, \\p{Nd})."""
    import sys
    import unicodedata

    def ranges(test) -> str:
        out, start = [], None
        for cp in range(sys.maxunicode + 2):
            ok = cp <= sys.maxunicode and not 0xD800 <= cp <= 0xDFFF and test(chr(cp))
            if ok and start is None:
                start = cp
            elif not ok and start is not None:
                out.append(f"{start:x}" if start == cp - 1 else f"{start:x}-{cp - 1:x}")
                start = None
        return ",".join(out)

    zeros = ",".join(f"{cp:x}" for cp in range(sys.maxunicode + 1)
                     if not 0xD800 <= cp <= 0xDFFF and chr(cp).isdecimal() and unicodedata.decimal(chr(cp)) == 0)
    folds = ",".join(f"{ord(c):x}:" + " ".join(f"{ord(x):x}" for x in c.casefold())
                     for c in map(chr, range(sys.maxunicode + 1))
                     if not 0xD800 <= ord(c) <= 0xDFFF and c.casefold() != c.lower())
    lines = [f"// Unicode {unicodedata.unidata_version}, from Python's unicodedata "
             "(tests/domain/test_grading_corpus.py: unicode_tables)",
             f'const COMBINING = "{ranges(lambda c: unicodedata.combining(c) != 0)}";',
             f'const SPACE = "{ranges(str.isspace)}";',
             f'const DIGIT_NOT_DECIMAL = "{ranges(lambda c: c.isdigit() and not c.isdecimal())}";',
             f'const DECIMAL_ZEROS = "{zeros}";',
             f'const CASEFOLD = "{folds}";']
    return "\n".join(lines)


GRADE_JS = Path(__file__).resolve().parents[2] / "static" / "offline" / "grade.js"
TABLES_BEGIN, TABLES_END = "// BEGIN unicode tables\n", "\n// END unicode tables"


def test_grade_js_carries_python_s_unicode_tables():
    """If Python's Unicode database changes (a new Python), regenerate the block:
    .venv/bin/python -c "from tests.domain.test_grading_corpus import unicode_tables; print(unicode_tables())"."""
    source = GRADE_JS.read_text(encoding="utf-8")
    block = source.split(TABLES_BEGIN, 1)[1].split(TABLES_END, 1)[0]
    assert block == unicode_tables()


def test_every_letter_and_number_class_grade_js_takes_from_javascript_is_python_s():
    """grade.js uses \\p{L} for str.isalpha, \\p{L}|\\p{N} for str.isalnum and \\p{Nd} for str.isdecimal:
    true in Python's database (categories), so only the tables above need carrying."""
    import sys
    import unicodedata

    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        category = unicodedata.category(c)
        assert c.isalpha() == (category[0] == "L")
        assert c.isalnum() == (category[0] in "LN")
        assert c.isdecimal() == (category == "Nd")
