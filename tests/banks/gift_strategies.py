"""Hypothesis strategies for banks of every type GIFT can carry, with the texts that are hard for
it: GIFT's special characters, '->', '<' and '&' in plain text, text that looks like a [format]
tag or a %weight%, titles, and weights Moodle does not list (35 %, 1/11) as well as ones it does."""
from __future__ import annotations

import string

from hypothesis import assume
from hypothesis import strategies as st

from quizapp.banks.model import Bank, Question

SPECIAL = "~=#{}:\\%[]_<>&*-"
PLAIN = string.ascii_letters + string.digits + " .,'\"!?é\n-/" + SPECIAL
HTML_SAFE = PLAIN.replace('"', "").replace("<", "").replace(">", "").replace("&", "")
TRICKY = ["[html]looks like a tag", "%50%", "%5% off", "T", "TRUE", "#", "a\\nb", "x -- y", "a->b", "-> at start",
          "ends ->", "x < y & z", "a &amp; b", "<b>not bold</b>", "1..2", "3:4", "* star", "//not a comment",
          "$CATEGORY: no", "::no title::"]
HTML_TRICKY = ["<b>bold</b>", "<p>a</p><p>b</p>", "a<br>b", "<i>x -&gt; y</i>", "1 &lt; 2 &amp;&amp; 3",
               "<code>{=}</code>"]


def texts(fmt: str = "plain", alphabet: str | None = None, max_size: int = 16):
    chars = alphabet or (HTML_SAFE if fmt == "html" else PLAIN)
    tricky = [t for t in TRICKY if set(t) <= set(chars)] + (HTML_TRICKY if fmt == "html" and not alphabet else [])
    return st.text(chars, min_size=1, max_size=max_size).map(str.strip).filter(bool) | st.sampled_from(tricky)


# Weights: Moodle's own grades, and ones it refuses (35 %, 1/11, 0.123) that the export snaps.
MOODLE_FRACTIONS = [1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25,
                    0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05]
EXACT = [1 / 3, 2 / 3, 1 / 6, 5 / 6, 1 / 7, 1 / 9]  # within Moodle's 0.00001: written as its 5 decimals


def fractions(low: float, high: float, zero: bool = False):
    listed = [f for f in MOODLE_FRACTIONS + [-f for f in MOODLE_FRACTIONS] + EXACT if low <= f <= high]
    odd = st.floats(low, high, allow_nan=False).map(lambda w: round(w, 4))
    refused = [w for w in (0.35, 1 / 11, -1 / 11, 0.123) if low <= w <= high]
    drawn = st.sampled_from(listed) | st.sampled_from(refused) | odd
    return drawn if zero else drawn.filter(lambda w: w != 0)


@st.composite
def multiple_choice(draw, fmt):
    choices = draw(st.lists(texts(fmt), min_size=2, max_size=5, unique=True))
    answer = draw(st.sampled_from(choices))
    others = [c for c in choices if c != answer]
    fields = {"prompt": draw(texts(fmt)), "choices": choices, "answer": answer}
    weights = draw(st.dictionaries(st.sampled_from(others), fractions(-1, 0.95), max_size=3))
    feedback = draw(st.dictionaries(st.sampled_from(choices), texts(fmt), max_size=3))
    fields.update({k: v for k, v in (("weights", weights), ("feedback", feedback)) if v})
    return fields


@st.composite
def multiple_select(draw, fmt):
    choices = draw(st.lists(texts(fmt), min_size=2, max_size=13, unique=True))
    picked = draw(st.sets(st.sampled_from(choices), min_size=1))
    answers = [c for c in choices if c in picked]
    fields = {"prompt": draw(texts(fmt)), "choices": choices, "answers": answers}
    if draw(st.booleans()):
        weights = {c: draw(fractions(0.05, 1)) if c in picked else draw(fractions(-1, 0, zero=True))
                   for c in choices}
        weights = {c: w for c, w in weights.items() if w}
        n = len(answers)
        assume(any(abs(weights.get(c, 0) - (1 / n if c in picked else -1 / n)) > 1e-5 for c in choices))
        fields["weights"] = weights
    feedback = draw(st.dictionaries(st.sampled_from(choices), texts(fmt), max_size=3))
    if feedback:
        fields["feedback"] = feedback
    return fields


@st.composite
def true_false(draw, fmt):
    fields = {"prompt": draw(texts(fmt)), "answer": draw(st.booleans())}
    feedback = draw(st.dictionaries(st.sampled_from(["true", "false"]), texts(fmt)))
    if feedback:
        fields["feedback"] = feedback
    return fields


@st.composite
def short_answer(draw, fmt):
    answers = draw(st.lists(texts("plain") | st.just("*"), min_size=1, max_size=4, unique=True))
    full = draw(st.sampled_from(answers))
    fields = {"prompt": draw(texts(fmt)), "answers": answers}
    weights = draw(st.dictionaries(st.sampled_from(answers), fractions(-1, 0.95, zero=True), max_size=3))
    weights.pop(full, None)
    feedback = draw(st.dictionaries(st.sampled_from(answers), texts(fmt), max_size=3))
    fields.update({k: v for k, v in (("weights", weights), ("feedback", feedback)) if v})
    if draw(st.booleans()):
        fields["case_sensitive"] = draw(st.booleans())
    return fields


numbers = st.integers(-10**9, 10**9) | st.floats(allow_nan=False, allow_infinity=False)
tolerances = st.integers(0, 1000) | st.floats(min_value=0, allow_infinity=False)


@st.composite
def numeric(draw, fmt):
    fields = {"prompt": draw(texts(fmt)), "answer": draw(numbers), "tolerance": draw(tolerances)}
    if draw(st.booleans()):
        fields["feedback"] = draw(texts(fmt))
    if draw(st.booleans()):
        fields["unit"] = draw(texts("plain"))
    if draw(st.booleans()):
        fields["wrong_feedback"] = draw(texts(fmt))
    alternatives = []
    for _ in range(draw(st.integers(0, 2))):
        alternative = {"answer": draw(numbers), "tolerance": draw(tolerances),
                       "weight": draw(fractions(-1, 1, zero=True))}
        if draw(st.booleans()):
            alternative["feedback"] = draw(texts(fmt))
        alternatives.append(alternative)
    if alternatives:
        fields["alternatives"] = alternatives
    return fields


@st.composite
def matching(draw, fmt):
    lefts = draw(st.lists(texts(fmt), min_size=2, max_size=4, unique=True))
    rights = draw(st.lists(texts("plain" if fmt != "html" else "html"), min_size=1, max_size=len(lefts) + 2,
                           unique=True))
    pairs = [[left, rights[draw(st.integers(0, len(rights) - 1))]] for left in lefts]  # a right may repeat
    used = {r for _, r in pairs}
    fields = {"prompt": draw(texts(fmt)), "pairs": pairs}
    if [r for r in rights if r not in used]:
        fields["distractors"] = [r for r in rights if r not in used]
    return fields


@st.composite
def ordering(draw, fmt):
    return {"prompt": draw(texts(fmt)),
            "items": draw(st.lists(texts("plain" if fmt != "html" else "html"), min_size=2, max_size=5, unique=True))}


@st.composite
def flashcard(draw, fmt):
    return {"front": draw(texts(fmt)), "back": draw(texts(fmt))}


@st.composite
def cloze(draw, fmt):
    safe = (HTML_SAFE if fmt == "html" else PLAIN).replace("{", "").replace("}", "").replace(":", "")
    parts = []
    for n in range(draw(st.integers(1, 3))):
        parts.append(draw(st.text(safe, max_size=10)))
        hint = draw(st.none() | texts(fmt, safe))
        parts.append(f"{{{{c{draw(st.integers(1, 3)) if n else 1}::{draw(texts(fmt, safe))}"
                     + (f"::{hint}" if hint else "") + "}}")
    parts.append(draw(st.text(safe, max_size=10)))
    fields = {"text": "".join(parts).strip()}
    if draw(st.booleans()):
        fields["extra"] = draw(texts(fmt))
    return fields


TYPES = {"multiple_choice": multiple_choice, "multiple_select": multiple_select, "true_false": true_false,
         "short_answer": short_answer, "numeric": numeric, "matching": matching, "ordering": ordering,
         "flashcard": flashcard, "cloze": cloze}
MOODLE_TYPES = sorted(TYPES)  # every type has a GIFT form (cloze and ordering as Moodle can take them)
slugs = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True)


@st.composite
def questions(draw, qid, qtypes=tuple(MOODLE_TYPES)):
    qtype = draw(st.sampled_from(sorted(qtypes)))
    fmt = draw(st.sampled_from(["plain", "html", "markdown"]))
    return Question(
        id=qid, type=qtype, fields=draw(TYPES[qtype](fmt)), format=fmt,
        explanation=draw(st.just("") | texts(fmt)),
        tags=draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), max_size=3, unique=True)),
        source=draw(st.none() | st.just("wiki")),
        evidence=draw(st.lists(texts("plain"), max_size=2)),
        difficulty=draw(st.none() | st.sampled_from(["easy", "medium", "hard"])),
        extra=draw(st.just({}) | st.fixed_dictionaries({"x-note": texts("plain")})),
        title=draw(st.just("") | st.just(qid) | texts("plain", max_size=30)),
    )


@st.composite
def banks(draw, qtypes=tuple(MOODLE_TYPES)):
    ids = draw(st.lists(slugs, min_size=1, max_size=5, unique_by=str.lower))
    title = " ".join(draw(st.text(string.ascii_letters + string.digits + " /:-'\\", min_size=1, max_size=20)).split())
    assume(title)
    return Bank(
        id=draw(slugs), title=title, description=draw(st.just("") | texts("plain")),
        tags=draw(st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=2, unique=True)),
        sources=draw(st.just({}) | st.just({"wiki": {"title": "A [tag:x] page", "file": "a.txt"}})),
        questions=[draw(questions(qid, qtypes)) for qid in ids],
    )
