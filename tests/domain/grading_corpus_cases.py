"""The cases of tests/grading_corpus.json, written by hand with their hand-reasoned key outcomes (score,
ask-again message, near-miss, number read, feedback). Building runs each through the server's code
(tests/domain/test_grading_corpus.py: run_case), checks every hand value against it and writes the JSON
with the server's full outcome; a disagreement stops the build: it is investigated, never copied.

    .venv/bin/python -m tests.domain.grading_corpus_cases
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from quizapp.domain.questions import get_type
from tests.domain.test_grading_corpus import TYPES, _same, run_case
from tests.domain.test_typed_answers import SHORT_ANSWERS

CORPUS_PATH = Path(__file__).resolve().parents[1] / "grading_corpus.json"

CASES = []
def C(type_, q, id_, *, form=None, response="__none__", ordinal=0, score=None, ask=None, near="", value=None,
      read=None, feedback=None):
    case = {"id": f"{type_}/{id_}", "type": type_, "grading": q, "ordinal": ordinal}
    if form is not None:
        case["form"] = {k: (v if isinstance(v, list) else [v]) for k, v in form.items()}
    else:
        case["response"] = response
    case["hand"] = {"score": score, "ask": ask, "near": near, "value": value, "read": read, "feedback": feedback}
    CASES.append(case)

def A(value):
    return {"answer": value}


EMPTY = "Type or choose an answer first: an empty answer is not recorded."
NOT_CHOICE = "That answer is not one of the choices: pick one of those shown."

# ---- flashcard: self-rated, never graded
fc = {"front": "Capital of France?", "back": "Paris", "reverse": True}
C("flashcard", fc, "front", form={}, score=1.0)
C("flashcard", fc, "reverse-card", form={}, ordinal=1, score=1.0)
C("flashcard", {"front": "x", "back": "y"}, "typed-text-ignored", form=A("anything"), score=1.0)

# ---- multiple choice
mc = {"prompt": "Capital of France?", "choices": ["Paris", "Lyon", "Nice", "Lille"], "answer": "Paris",
      "weights": {"Lyon": 0.5, "Nice": -0.5, "Lille": 0.9}, "feedback": {"Lyon": "Second city.", "Paris": "Yes."}}
C("multiple_choice", mc, "right", form=A("Paris"), score=1.0, feedback="Yes.")
C("multiple_choice", mc, "right-with-spaces", form=A("  Paris \n"), score=1.0)
C("multiple_choice", mc, "partial-0.5-is-again", form=A("Lyon"), score=0.5, feedback="Second city.")
C("multiple_choice", mc, "negative-weight-kept", form=A("Nice"), score=-0.5)
C("multiple_choice", mc, "partial-0.9-is-hard", form=A("Lille"), score=0.9)
C("multiple_choice", mc, "case-differs-not-a-choice", form=A("paris"), ask=NOT_CHOICE)
C("multiple_choice", mc, "unknown-choice-refused", form=A("Marseille"), ask=NOT_CHOICE)
C("multiple_choice", mc, "empty", form=A(""), ask=EMPTY)
C("multiple_choice", mc, "blank", form=A("   "), ask=EMPTY)
C("multiple_choice", mc, "no-field", form={}, ask=EMPTY)
plain = {"prompt": "?", "choices": ["Yes", "No", "Maybe"], "answer": "No"}
C("multiple_choice", plain, "wrong-no-weights", form=A("Yes"), score=0.0)
C("multiple_choice", {"prompt": "2+2?", "choices": [3, 4, 5], "answer": 4}, "numeric-choices", form=A("4"), score=1.0)
C("multiple_choice", {"prompt": "2+2?", "choices": [3, 4, 5], "answer": 4}, "numeric-choice-other-notation",
  form=A("4.0"), ask=NOT_CHOICE)
C("multiple_choice", {"prompt": "?", "choices": ["Ça va", "Ca va"], "answer": "Ça va"}, "accent-is-another-choice",
  form=A("Ca va"), score=0.0)
C("multiple_choice", plain, "list-response-refused", response=["No"], ask=NOT_CHOICE)

# ---- multiple select
ms = {"prompt": "Primes?", "choices": ["2", "3", "4", "9"], "answers": ["2", "3"]}
C("multiple_select", ms, "all-right", form=A(["3", "2"]), score=1.0, read=["2", "3"])
C("multiple_select", ms, "half", form=A(["2"]), score=0.5)
C("multiple_select", ms, "one-right-one-wrong", form=A(["2", "4"]), score=0.0)
C("multiple_select", ms, "two-right-one-wrong", form=A(["2", "3", "9"]), score=0.5)
C("multiple_select", ms, "all-ticked", form=A(["2", "3", "4", "9"]), score=0.0)
C("multiple_select", ms, "nothing", form={}, ask=EMPTY)
C("multiple_select", ms, "empty-values-dropped", form=A(["", "2", "3"]), score=1.0, read=["2", "3"])
C("multiple_select", ms, "duplicate-form-values-merged", form=A(["2", "2", "3"]), score=1.0, read=["2", "3"])
C("multiple_select", ms, "unknown-refused", form=A(["2", "5"]), ask=NOT_CHOICE)
C("multiple_select", ms, "duplicate-in-sent-list-refused", response=["2", "2"], ask="Each choice can be ticked once.")
msw = {"prompt": "?", "choices": ["A", "B", "C", "D"], "answers": ["A", "C"],
       "weights": {"A": 0.5, "C": 0.5, "B": -1, "D": -0.25}, "feedback": {"A": "A is right.", "B": "B is not."}}
C("multiple_select", msw, "weights-full", form=A(["A", "C"]), score=1.0, feedback="A is right.")
C("multiple_select", msw, "weights-clamped-at-0", form=A(["A", "B"]), score=0.0, feedback="A is right. B is not.")
C("multiple_select", msw, "weights-0.75", form=A(["A", "C", "D"]), score=0.75)
C("multiple_select", msw, "weights-negative-alone", form=A(["D"]), score=0.0)
uni = {"prompt": "?", "choices": ["Ｚ", "😀", "a"], "answers": ["Ｚ", "😀"]}
C("multiple_select", uni, "sorted-by-code-point", form=A(["😀", "a", "Ｚ"]), score=0.5, read=["a", "Ｚ", "😀"])

# ---- true/false
tf = {"prompt": "The sky is blue.", "answer": True, "feedback": {"true": "Right.", "false": "It is blue."}}
C("true_false", tf, "true", form=A("true"), score=1.0, feedback="Right.")
C("true_false", tf, "false", form=A("false"), score=0.0, feedback="It is blue.")
C("true_false", tf, "upper-and-spaces", form=A("  TRUE "), score=1.0)
C("true_false", tf, "yes-is-no-answer", form=A("yes"), ask=EMPTY)
C("true_false", tf, "empty", form=A(""), ask=EMPTY)
C("true_false", tf, "string-sent-refused", response="true", ask="Answer true or false.")
C("true_false", {"prompt": "Fish fly.", "answer": False}, "false-statement-false", form=A("False"), score=1.0)
C("true_false", {"prompt": "Fish fly.", "answer": False}, "false-statement-true", form=A("true"), score=0.0)

# ---- short answer
def SA(answers, **extra):
    return {"prompt": "?", "answers": answers, **extra}
# the existing typed-answer corpus (tests/domain/test_typed_answers.py): accepted -> 1, rejected -> 0
for answers, accepted, rejected in SHORT_ANSWERS:
    for a in accepted:
        C("short_answer", SA(answers), f"{answers[0]}=accepts={a}", form=A(a), score=1.0, near=None)
    for r in rejected:
        C("short_answer", SA(answers), f"{answers[0]}=rejects={r}", form=A(r), score=0.0, near=None)
sa = SA(["Canberra"])
C("short_answer", sa, "exact", form=A("Canberra"), score=1.0)
C("short_answer", sa, "lower", form=A("canberra"), score=1.0)
C("short_answer", SA(["Canberra"], case_sensitive=True), "case-sensitive-lower-is-near-miss", form=A("canberra"),
  score=0.0, near="Canberra")
C("short_answer", SA(["Canberra"], case_sensitive=True), "case-sensitive-exact", form=A("Canberra"), score=1.0)
C("short_answer", SA(["École"], case_sensitive=True), "case-sensitive-accent-still-folded", form=A("Ecole"), score=1.0)
C("short_answer", SA(["École"], case_sensitive=True), "case-sensitive-lower-near-miss", form=A("école"), score=0.0,
  near="École")
C("short_answer", SA(["Port *"], case_sensitive=True), "wildcard-case-sensitive", form=A("port Moresby"), score=0.0,
  near="")
C("short_answer", SA(["Port *"], case_sensitive=True), "wildcard-case-sensitive-hit", form=A("Port Vila"), score=1.0)
C("short_answer", sa, "one-letter-typo-near-miss", form=A("Canbera"), score=0.0, near="Canberra")
C("short_answer", sa, "swap-is-one-edit", form=A("Cnaberra"), score=0.0, near="Canberra")
C("short_answer", sa, "two-edits-too-far", form=A("Kanbera"), score=0.0, near="")
C("short_answer", SA(["Canberra"], typos=False), "typos-off-no-near-miss", form=A("Canbera"), score=0.0, near="")
C("short_answer", SA(["Australia"]), "austria-is-wrong-not-typo", form=A("Austria"), score=0.0, near="")
C("short_answer", SA(["Australia"]), "australa-near-miss", form=A("Australa"), score=0.0, near="Australia")
C("short_answer", SA(["Mao"]), "short-word-no-allowance", form=A("Man"), score=0.0, near="")
C("short_answer", SA(["Constantinople"]), "long-word-two-edits", form=A("Konstantinopel"), score=0.0,
  near="Constantinople")
C("short_answer", SA(["Constantinople"]), "long-word-letter-and-drop", form=A("Konstantinopl"), score=0.0,
  near="Constantinople")
C("short_answer", SA(["Constantinople"]), "three-edits-exactly", form=A("Kanstantinopel"), score=0.0, near="")
C("short_answer", SA(["New York"]), "missing-space-near-miss", form=A("NewYork"), score=0.0, near="New York")
C("short_answer", SA(["New York"]), "hyphen-is-space", form=A("new-york"), score=1.0)
C("short_answer", SA(["New York"]), "nbsp-and-tabs", form=A("New\u00a0\tYork"), score=1.0)
C("short_answer", SA(["New York"]), "zero-width-space-is-not-space", form=A("New\u200bYork"), score=0.0, near="")
C("short_answer", SA(["São Paulo"]), "accents-dropped", form=A("Sao Paulo"), score=1.0)
C("short_answer", SA(["Sao Paulo"]), "accents-added-upper", form=A("SÃO PAULO"), score=1.0)
C("short_answer", SA(["Hà Nội"]), "vietnamese", form=A("ha noi"), score=1.0)
C("short_answer", SA(["Straße"]), "sharp-s-casefold", form=A("STRASSE"), score=1.0)
C("short_answer", SA(["Οδυσσευς"]), "greek-final-sigma", form=A("ΟΔΥΣΣΕΥΣ"), score=1.0)
C("short_answer", SA(["Ὀδυσσεύς"]), "greek-breathing-and-accent", form=A("οδυσσευς"), score=1.0)
C("short_answer", SA(["Οδυσσευσ"]), "final-sigma-is-sigma", form=A("Οδυσσευς"), score=1.0)
C("short_answer", SA(["ǅemal"]), "titlecase-digraph", form=A("DŽEMAL"), score=1.0)
C("short_answer", SA(["istanbul"]), "dotted-capital-i", form=A("İstanbul"), score=1.0)
C("short_answer", SA(["fish"]), "ligature", form=A("ﬁsh"), score=1.0)
C("short_answer", SA(["ABC"]), "full-width", form=A("ＡＢＣ"), score=1.0)
C("short_answer", SA(["Ꭰ"]), "cherokee-casefolds-to-upper", form=A("ꭰ"), score=1.0)
C("short_answer", SA(["U.S.A."]), "dots-soft", form=A("usa"), score=1.0)
C("short_answer", SA(["«Bonjour»"]), "guillemets-soft", form=A("bonjour!"), score=1.0)
C("short_answer", SA(["-7"]), "unicode-minus", form=A("\u22127"), score=1.0)
C("short_answer", SA(["-7"]), "minus-after-letter-is-hyphen", form=A("x-7"), score=0.0)
C("short_answer", SA(["(-7)"]), "minus-after-bracket", form=A("(−7)"), score=1.0)
C("short_answer", SA(["2.5"]), "decimal-comma-differs", form=A("2,5"), score=0.0, near="")
C("short_answer", SA(["50%"]), "percent-space", form=A("50 %"), score=1.0)
C("short_answer", SA(["1939"]), "digits-never-near-miss", form=A("1929"), score=0.0, near="")
C("short_answer", SA(["Apollo 11"]), "digit-in-answer-no-near-miss", form=A("Apolo 11"), score=0.0, near="")
C("short_answer", SA(["..."]), "only-soft-punctuation", form=A("..."), score=0.0)
C("short_answer", sa, "punctuation-only-answer", form=A("?!"), score=0.0, near="")
C("short_answer", sa, "empty", form=A(""), ask=EMPTY)
C("short_answer", sa, "spaces-only", form=A(" \t "), ask=EMPTY)
C("short_answer", sa, "too-long", form=A("a" * 1001),
  ask="That answer is 1,001 characters long; at most 1,000 are read.")
C("short_answer", sa, "1000-emoji-fit", form=A("😀" * 1000), score=0.0)
C("short_answer", sa, "trailing-space-stripped-before-cap", form=A("a" * 1000 + "   "), score=0.0)
wild = SA(["Port *", "Paris", "*"], weights={"*": 0, "Port *": 0.5}, feedback={"*": "Not quite.", "Paris": "Oui."})
C("short_answer", wild, "wildcard-partial", form=A("Port Moresby"), score=0.5)
C("short_answer", wild, "wildcard-needs-space", form=A("Portugal"), score=0.0, feedback="Not quite.")
C("short_answer", wild, "exact-after-wildcard", form=A("paris"), score=1.0, feedback="Oui.")
C("short_answer", wild, "catch-all-no-near-miss", form=A("Pariss"), score=0.0, near="", feedback="Not quite.")
C("short_answer", SA(["a\\*b"]), "escaped-star-literal", form=A("A*B"), score=1.0)
C("short_answer", SA(["a\\*b"]), "escaped-star-not-wild", form=A("axb"), score=0.0)
C("short_answer", SA(["*berg"]), "suffix-wildcard", form=A("Heidelberg"), score=1.0)
C("short_answer", SA(["*berg"]), "suffix-wildcard-miss", form=A("Heidelburg"), score=0.0)
C("short_answer", SA(["Mc*ld"]), "middle-wildcard", form=A("McDonald"), score=1.0)
C("short_answer", SA(["a*b*a"]), "stars-match-nothing", form=A("aba"), score=1.0)
C("short_answer", SA(["a*b*a"]), "pieces-must-not-overlap", form=A("ab"), score=0.0)
C("short_answer", SA(["a*b*a"]), "pieces-in-order", form=A("abba"), score=1.0)
C("short_answer", SA(["Paris", "Lutetia"], weights={"Lutetia": 0.5}), "alternative-half", form=A("Lutetia"), score=0.5)
C("short_answer", SA(["Lutetia", "Paris"], weights={"Lutetia": 0.5}), "near-miss-only-full-credit",
  form=A("Lutetai"), score=0.0, near="")
C("short_answer", SA([1949]), "number-answer", form=A("1949"), score=1.0)

# ---- numeric
def N(answer, **extra):
    return {"prompt": "?", "answer": answer, **extra}
NUM1 = "Enter a number, for example 1949 or 2.5."
big = "That number is too large to read."
n = N(1949)
C("numeric", n, "plain", form=A("1949"), score=1.0, value=1949)
C("numeric", n, "thousands-comma", form=A("1,949"), score=1.0, value=1949)
C("numeric", n, "dot-is-decimal", form=A("1.949"), score=0.0, value=1.949)
C("numeric", n, "in-words", form=A("in 1949 AD"), score=1.0, value=1949)
C("numeric", n, "month-year", form=A("May 1949"), score=1.0, value=1949)
C("numeric", n, "range-refused", form=A("1949-1953"), ask="Enter one number: that answer holds 2 (1949, 1953).")
C("numeric", n, "range-en-dash-refused", form=A("1949–1953"), ask="Enter one number: that answer holds 2 (1949, 1953).")
C("numeric", n, "words-refused", form=A("nineteen"), ask=NUM1)
C("numeric", n, "empty", form=A(""), ask=EMPTY)
C("numeric", n, "full-width-digits", form=A("１９４９"), score=1.0, value=1949)
C("numeric", n, "arabic-indic-digits", form=A("١٩٤٩"), score=1.0, value=1949)
C("numeric", n, "devanagari-digits", form=A("१९४९"), score=1.0, value=1949)
C("numeric", n, "ethiopic-digit-unreadable", form=A("፩"), ask=big)
C("numeric", n, "1939-wrong", form=A("1939"), score=0.0, value=1939)
C("numeric", n, "plus-sign", form=A("+1949"), score=1.0, value=1949)
m = N(26000000)
for typed in ["26,000,000", "26.000.000", "26 000 000", "26\u202f000\u202f000", "26000000", "26 million", "26 Million.",
              "2.6e7", "2.6E7", "2.6 × 10^7", "2.6x10^7", "2.6 * 10**7", "2,6·10^7", "0.026 billion", "26000 thousand"]:
    C("numeric", m, f"26M-as-{typed}", form=A(typed), score=1.0, value=26e6)
C("numeric", m, "12-34-two-numbers", form=A("26 00 000"), ask="Enter one number: that answer holds 2 (26, 00 000).")
C("numeric", m, "group-after-4-digits", form=A("2600 000"), ask="Enter one number: that answer holds 2 (2600, 000).")
d = N(0.125)
C("numeric", d, "decimal-comma", form=A("0,125"), score=1.0, value=0.125)
C("numeric", d, "leading-comma-digit", form=A(",125"), score=0.0, value=125)
C("numeric", N(3.5), "decimal-comma-one", form=A("3,5"), score=1.0, value=3.5)
C("numeric", N(1500), "comma-three-digits-is-thousands", form=A("1,500"), score=1.0, value=1500)
C("numeric", N(1234.5), "us-grouping", form=A("1,234.5"), score=1.0, value=1234.5)
C("numeric", N(1234.5), "eu-grouping", form=A("1.234,5"), score=1.0, value=1234.5)
C("numeric", N(1253), "two-dots-are-grouping", form=A("12.5.3"), score=1.0, value=1253)
neg = N(-7)
C("numeric", neg, "hyphen-minus", form=A("-7"), score=1.0, value=-7)
C("numeric", neg, "unicode-minus", form=A("−7"), score=1.0, value=-7)
C("numeric", neg, "en-dash", form=A("–7"), score=1.0, value=-7)
C("numeric", neg, "positive-wrong", form=A("7"), score=0.0, value=7)
C("numeric", neg, "degrees", form=A("-7 °C"), score=1.0, value=-7)
C("numeric", neg, "minus-after-letter-not-sign", form=A("x-7"), score=0.0, value=7)
h = N(6.63e-34)
C("numeric", h, "e-notation", form=A("6.63e-34"), score=1.0, value=6.63e-34)
C("numeric", h, "e-unicode-minus", form=A("6.63e−34"), score=1.0, value=6.63e-34)
C("numeric", h, "times-ten-caret", form=A("6.63 × 10^-34"), score=1.0, value=6.63e-34)
C("numeric", h, "superscript", form=A("6.63·10⁻³⁴"), score=1.0, value=6.63e-34)
C("numeric", h, "zero-is-not-tiny", form=A("0"), score=0.0, value=0)
C("numeric", h, "e400-too-large", form=A("1e400"), ask=big)
C("numeric", h, "e-minus-400-is-zero", form=A("1e-400"), score=0.0, value=0)
C("numeric", h, "five-digit-exponent-refused", form=A("1e12345"),
  ask="Enter one number: that answer holds 2 (1e1234, 5).")
C("numeric", m, "superscript-exponent-joins-the-ten", form=A("2,6·10⁷"),
  ask="Enter one number: that answer holds 2 (2,6, 107).")
g = N(9.81, tolerance=0.05, unit="m/s²")
C("numeric", g, "within-tolerance", form=A("9.8"), score=1.0, value=9.8)
C("numeric", g, "edge-of-tolerance", form=A("9.86"), score=1.0, value=9.86)
C("numeric", g, "outside-tolerance", form=A("9.7"), score=0.0, value=9.7)
C("numeric", g, "unit-with-digit-refused", form=A("9.81 m/s2"), ask="Enter one number: that answer holds 2 (9.81, 2).")
C("numeric", g, "unit-as-shown-refused", form=A("9.81 m/s²"), ask="Enter one number: that answer holds 2 (9.81, 2).")
C("numeric", g, "unit-in-words", form=A("9.81 metres per second squared"), score=1.0, value=9.81)
C("numeric", g, "second-number-in-unit-refused", form=A("9.81 m/s^2"),
  ask="Enter one number: that answer holds 2 (9.81, 2).")
C("numeric", N(0.3), "float-noise", form=A("0.30000000000000004"), score=1.0, value=0.30000000000000004)
ww2 = N(1945, alternatives=[{"answer": 1939, "weight": 0, "feedback": "1939 is when the war began."},
                            {"answer": 1944, "tolerance": 0.5, "weight": 0.5},
                            {"answer": 1946, "weight": 0.9}],
        feedback="Yes, 1945.", wrong_feedback="No: think of the end of the war.")
C("numeric", ww2, "main", form=A("1945"), score=1.0, feedback="Yes, 1945.")
C("numeric", ww2, "alternative-zero-with-feedback", form=A("1939"), score=0.0, feedback="1939 is when the war began.")
C("numeric", ww2, "alternative-half", form=A("1944.4"), score=0.5, value=1944.4)
C("numeric", ww2, "alternative-0.9", form=A("1946"), score=0.9)
C("numeric", ww2, "wrong-feedback", form=A("1800"), score=0.0, feedback="No: think of the end of the war.")
pop = N(30, unit="million people")
C("numeric", pop, "scale-word-in-unit", form=A("30 million"), score=1.0, value=30)
C("numeric", pop, "plain-with-unit", form=A("30"), score=1.0, value=30)
C("numeric", N(30000000), "scale-word-multiplies", form=A("30 million"), score=1.0, value=3e7)
C("numeric", N(2.5e9), "bn", form=A("$2.5bn"), score=1.0, value=2.5e9)
C("numeric", N(2.5e9), "billion-then-dot", form=A("2.5 billion."), score=1.0, value=2.5e9)
C("numeric", N(250e6), "dollars-million", form=A("$250 million"), score=1.0, value=250e6)
C("numeric", N(20), "percent", form=A("20%"), score=1.0, value=20)
C("numeric", N(12), "days", form=A("12 days"), score=1.0, value=12)
C("numeric", N(0), "zero-answer", form=A("0"), score=1.0, value=0)
C("numeric", N(0), "minus-zero", form=A("-0"), score=1.0, value=0)
C("numeric", N(1000), "caret-without-times", form=A("10^3"), ask="Enter one number: that answer holds 2 (10, 3).")
C("numeric", N(2000), "x-times", form=A("2x10^3"), score=1.0, value=2000)
C("numeric", N(1), "sum-refused", form=A("0.5+0.5"), ask="Enter one number: that answer holds 2 (0.5, 0.5).")
C("numeric", N(30000000), "sync-value-re-read", response={"text": "30 million", "value": 5}, score=1.0, value=3e7)
C("numeric", pop, "sync-value-re-read-with-unit", response={"text": "30 million", "value": 3e7}, score=1.0, value=30)
C("numeric", N(1), "sync-bad-text-refused", response={"text": "one", "value": 1}, ask=NUM1)

# ---- cloze
cz = {"text": "The capital of {{c1::France}} is {{c2::Paris::city}}."}
C("cloze", cz, "card1-right", form=A("france"), ordinal=1, score=1.0)
C("cloze", cz, "card2-right-hint-not-answer", form=A("Paris"), ordinal=2, score=1.0)
C("cloze", cz, "card2-hint-is-wrong", form=A("city"), ordinal=2, score=0.0)
C("cloze", cz, "card2-near-miss", form=A("Pariss"), ordinal=2, score=0.0, near="Paris")
C("cloze", cz, "empty", form=A(""), ordinal=1, ask=EMPTY)
C("cloze", cz, "no-field", form={}, ordinal=1, ask=EMPTY)
two = {"text": "{{c1::Mao}} met {{c1::Stalin}} in {{c2::1949}}."}
C("cloze", two, "both", form=A(["mao", "STALIN"]), ordinal=1, score=1.0)
C("cloze", two, "half-with-near-miss", form=A(["Mao", "Stalni"]), ordinal=1, score=0.5, near="Stalin")
C("cloze", two, "half-missing-blank", form=A(["Mao"]), ordinal=1, score=0.5, near="")
C("cloze", two, "both-near-misses", form=A(["Mao", "Staline"]), ordinal=1, score=0.5, near="Stalin")
C("cloze", two, "one-near-one-plain-wrong", form=A(["Lenin", "Stalni"]), ordinal=1, score=0.0, near="")
C("cloze", two, "year", form=A("1949."), ordinal=2, score=1.0)
C("cloze", two, "year-wrong", form=A("1,949"), ordinal=2, score=0.0)
C("cloze", two, "extra-values-ignored", form=A(["Mao", "Stalin", "x"]), ordinal=1, score=1.0)
nest = {"text": "{{c1::Mao met {{c2::Stalin}}}} in Moscow."}
C("cloze", nest, "outer-blank-whole", form=A("Mao met Stalin"), ordinal=1, score=1.0)
C("cloze", nest, "inner-blank", form=A("stalin"), ordinal=2, score=1.0)
shared = {"text": "{{c1,2::Lenin}} led {{c2::1917}}"}
C("cloze", shared, "shared-on-2", form=A(["Lenin", "1917"]), ordinal=2, score=1.0)
C("cloze", shared, "shared-on-1", form=A(["Lenin"]), ordinal=1, score=1.0)
C("cloze", {"text": "{{c1::Berlin}} }} stray", "case_sensitive": True}, "case-sensitive", form=A("berlin"), ordinal=1,
  score=0.0, near="Berlin")
C("cloze", {"text": "{{c1::Berlin}}", "typos": False}, "typos-off", form=A("Berlim"), ordinal=1, score=0.0, near="")
C("cloze", {"text": "{{c١::Kyiv}} and {{c::x}}"}, "unicode-digit-ordinal", form=A("kyiv"), ordinal=1, score=1.0)
C("cloze", {"text": "{{c1::São Tomé}}"}, "accents", form=A("sao tome"), ordinal=1, score=1.0)
C("cloze", {"text": "{{c1::a}} {{c1::b}} {{c1::c}} {{c1::d}}"}, "three-of-four-is-hard", form=A(["a", "b", "c", ""]),
  ordinal=1, score=0.75)
C("cloze", {"text": "{{c2::x}} only"}, "card-with-no-blank", form=A("x"), ordinal=1, score=0.0)

# ---- matching
mt = {"prompt": "Capitals", "pairs": [["France", "Paris"], ["Italy", "Rome"], ["Spain", "Madrid"]],
      "distractors": ["Lyon"]}
def M(*picks):
    return {f"match-{i}": p for i, p in enumerate(picks)}


C("matching", mt, "all", form=M("Paris", "Rome", "Madrid"), score=1.0)
C("matching", mt, "two-of-three", form=M("Paris", "Madrid", "Madrid"), score=2 / 3)
C("matching", mt, "distractor", form=M("Lyon", "Rome", "Madrid"), score=2 / 3)
C("matching", mt, "blank-pick-wrong", form=M("Paris", "", "Madrid"), score=2 / 3)
C("matching", mt, "all-blank", form=M("", "", ""), ask=EMPTY)
C("matching", mt, "unknown-pick", form=M("Paris", "Rome", "Berlin"),
  ask="That match is not one of the choices: pick one of those shown.")
C("matching", mt, "too-few-picks", form=M("Paris", "Rome"), ask="Give one match for each item on the left.")
C("matching", mt, "gap-in-fields-stops-reading", form={"match-0": "Paris", "match-2": "Madrid"},
  ask="Give one match for each item on the left.")
C("matching", mt, "case-differs-not-offered", form=M("paris", "Rome", "Madrid"),
  ask="That match is not one of the choices: pick one of those shown.")
five = {"prompt": "?", "pairs": [["1", "one"], ["2", "two"], ["3", "three"], ["4", "four"], ["5", "five"]]}
C("matching", five, "four-of-five-hard", form=M("one", "two", "three", "four", "four"), score=0.8)
odd = {"prompt": "?", "pairs": [["1", "odd"], ["2", "even"], ["3", "odd"]]}
C("matching", odd, "shared-right", form=M("odd", "even", "odd"), score=1.0)
C("matching", odd, "shared-right-swapped", form=M("even", "odd", "odd"), score=1 / 3)
C("matching", {"prompt": "?", "pairs": [["a", 1], ["b", 2]]}, "numeric-rights", form=M("1", "2"), score=1.0)

# ---- ordering
od = {"prompt": "Order", "items": ["A", "B", "C", "D"]}
C("ordering", od, "right", form=A(["A", "B", "C", "D"]), score=1.0)
C("ordering", od, "one-adjacent-swap", form=A(["B", "A", "C", "D"]), score=5 / 6)
C("ordering", od, "reversed", form=A(["D", "C", "B", "A"]), score=0.0)
C("ordering", od, "half", form=A(["C", "D", "A", "B"]), score=2 / 6)
def P(*placed):
    return {k: v for i, (item, pos) in enumerate(placed) for k, v in ((f"item-{i}", item), (f"position-{i}", pos))}


C("ordering", od, "positions", form=P(("C", "3"), ("A", "1"), ("D", "4"), ("B", "2")), score=1.0,
  read=["A", "B", "C", "D"])
C("ordering", od, "positions-spaces-and-zero-padded", form=P(("C", " 3 "), ("A", "01"), ("D", "4"), ("B", "2")),
  score=1.0)
C("ordering", od, "positions-arabic-indic", form=P(("C", "٣"), ("A", "١"), ("D", "٤"), ("B", "٢")), score=1.0)
C("ordering", od, "positions-superscript-refused", form=P(("C", "³"), ("A", "1"), ("D", "4"), ("B", "2")),
  ask="Give each item its own position from 1 to 4.")
C("ordering", od, "positions-repeated", form=P(("C", "3"), ("A", "1"), ("D", "3"), ("B", "2")),
  ask="Give each item its own position from 1 to 4.")
C("ordering", od, "positions-out-of-range", form=P(("C", "5"), ("A", "1"), ("D", "4"), ("B", "2")),
  ask="Give each item its own position from 1 to 4.")
C("ordering", od, "positions-empty", form=P(("C", ""), ("A", "1"), ("D", "4"), ("B", "2")),
  ask="Give each item its own position from 1 to 4.")
C("ordering", od, "missing-item", form=A(["A", "B", "C"]), ask="Place every item of the list once, and only those.")
C("ordering", od, "item-twice", form=A(["A", "B", "C", "C"]), ask="Place every item of the list once, and only those.")
C("ordering", od, "nothing", form={}, ask=EMPTY)
C("ordering", {"prompt": "?", "items": [3, 1, 2]}, "numeric-items", form=A(["3", "1", "2"]), score=1.0)

# ---- the rating rule's own table (hand values)
RATINGS = []
def R(id_, score, expect, seconds=None, typical=10.0, guessable=False, self_rated=False):
    RATINGS.append({"id": id_, "score": score, "self_rated": self_rated, "seconds": seconds, "typical": typical,
                    "guessable": guessable, "expect": expect})
R("self-rated", 1.0, None, self_rated=True)
R("zero", 0.0, 1)
R("negative", -0.5, 1)
R("just-under-pass", 0.7999, 1)
R("pass-is-hard", 0.8, 2)
R("0.998-is-hard", 0.998, 2)
R("0.999-is-correct", 0.999, 3)
R("right-no-time", 1.0, 3)
R("right-fast", 1.0, 4, seconds=5.0)
R("right-half-time-exactly", 1.0, 4, seconds=5.0, typical=10.0)
R("right-just-slower", 1.0, 3, seconds=5.01)
R("fast-guessable-stays-good", 1.0, 3, seconds=1.0, guessable=True)
R("fast-partial-stays-hard", 0.9, 2, seconds=0.5)
R("fast-wrong-again", 0.0, 1, seconds=0.5)
R("slow-right-still-good", 1.0, 3, seconds=600.0)
R("zero-seconds", 1.0, 4, seconds=0.0)
TYPICAL = [
    {"id": "no-history", "recent": [], "prior": 10.0, "expect": 10.0},
    {"id": "one", "recent": [4.0], "prior": 10.0, "expect": (5 * 10 + 4) / 6},
    {"id": "even-median", "recent": [2.0, 8.0, 4.0, 6.0], "prior": 15.0, "expect": (5 * 15 + 4 * 5) / 9},
    {"id": "odd-median", "recent": [30.0, 1.0, 2.0], "prior": 6.0, "expect": (5 * 6 + 3 * 2) / 8},
]


def main() -> None:
    problems = []
    out = []
    for case in CASES:
        hand = case.pop("hand")
        got = run_case(case)
        case["expect"] = got
        if hand["ask"] is not None:
            if got["ask_again"] != hand["ask"]:
                problems.append((case["id"], "ask", hand["ask"], got))
            out.append(case)
            continue
        if got["ask_again"]:
            problems.append((case["id"], "asked", got["ask_again"]))
            out.append(case)
            continue
        if hand["score"] is not None and not _same(got["score"], float(hand["score"])):
            problems.append((case["id"], "score", hand["score"], got["score"]))
        if hand["near"] is not None and got["near_miss"] != hand["near"]:
            problems.append((case["id"], "near", hand["near"], got["near_miss"]))
        if hand["value"] is not None and not _same(got["response"]["value"], float(hand["value"])):
            problems.append((case["id"], "value", hand["value"], got["response"]))
        if hand["read"] is not None and got["response"] != hand["read"]:
            problems.append((case["id"], "read", hand["read"], got["response"]))
        if hand["feedback"] is not None and got["feedback"] != hand["feedback"]:
            problems.append((case["id"], "feedback", hand["feedback"], got["feedback"]))
        out.append(case)
    for p in problems:
        print("MISMATCH", p)
    types = {n: {"quick_seconds": get_type(n).quick_seconds, "guessable": get_type(n).guessable,
                 "auto_graded": get_type(n).auto_graded} for n in TYPES}
    doc = {"about": "Shared grading corpus: run by tests/domain/test_grading_corpus.py (the server's code) and "
                    "tests/e2e/test_grading_corpus_browser.py (static/offline/grade.js in Chromium). Key outcomes "
                    "reasoned by hand, confirmed against the server; see the Python runner's docstring.",
           "fast_seconds": 1.0, "types": types, "cases": out, "ratings": RATINGS, "typical": TYPICAL}
    if not problems or "--force" in sys.argv:
        def lines(rows):
            return "[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n ]"
        head = {k: v for k, v in doc.items() if k not in ("cases", "ratings", "typical")}
        text = json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",\n"
        text += ",\n".join(f' "{k}": {lines(doc[k])}' for k in ("cases", "ratings", "typical")) + "\n}\n"
        assert json.loads(text) == json.loads(json.dumps(doc))
        CORPUS_PATH.write_text(text, encoding="utf-8")
    print(len(out), "cases", len(problems), "problems")


if __name__ == "__main__":
    main()
