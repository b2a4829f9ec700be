"""Our GIFT export as Moodle imports it, read by tests/banks/moodle_gift.py (a transliteration of
Moodle's format.php that shares no code with quizapp.banks.gift).

First the transliteration is held to Moodle's own expected results (its PHPUnit test and
fixtures, in ../shared/conformance/gift); then every exported bank must import into it without
an error, each question being the question we hold: same type, texts as a learner reads them,
answers, weights (after snapping to Moodle's grades), feedback, id, tags and name.
"""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from quizapp.banks.gift import export_gift
from quizapp.banks.model import Bank, Question
from quizapp.banks.sanitize import html_to_text
from quizapp.domain.questions.cloze import segments

from . import moodle_gift as moodle
from .gift_strategies import banks


def _shared() -> Path:
    env = os.environ.get("QUIZAPP_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


GIFT_DIR = _shared() / "conformance" / "gift"
needs_shared = pytest.mark.skipif(not GIFT_DIR.is_dir(), reason="../shared/conformance/gift is absent")
ATTRIBUTE = {"answer_formats": "answerformat", "feedback_formats": "feedbackformat",
             "subquestion_formats": "subquestionformat"}


# -- the transliteration against Moodle's own expectations ----------------------------------------


def _moodle_value(q: dict, key: str):
    if key == "answer" and q["qtype"] == "multichoice":
        return [a["text"] for a in q["answer"]]
    if key == "answer_formats":
        return [a["format"] for a in q["answer"]]
    if key == "feedback":
        return [f["text"] for f in q["feedback"]]
    if key == "feedback_formats":
        return [f["format"] for f in q["feedback"]]
    if key == "subquestions":
        return [s["text"] for s in q["subquestions"]]
    if key == "subquestion_formats":
        return [s["format"] for s in q["subquestions"]]
    if key in ("feedbacktrue", "feedbackfalse"):
        return q[key]["text"]
    if key == "tolerance":
        return [t if t == "" else float(t) for t in q[key]]
    return q[key]


def _check_like_moodle(question: dict, want: dict) -> None:
    for key, value in want.items():
        if key in ("test", "penalty"):
            continue
        got = _moodle_value(question, key)
        assert got == (pytest.approx(value) if key == "fraction" else value), (question["name"], key)


@needs_shared
def test_the_transliteration_reads_moodles_unit_test_questions_as_moodle_expects():
    expected = json.loads((GIFT_DIR / "moodle__giftformat_test_extracted.expected.json").read_text())
    text = (GIFT_DIR / "moodle__giftformat_test_extracted.gift.txt").read_text()
    # Moodle's PHPUnit test hands each question's lines to readquestion() untrimmed.
    blocks = [b.split("\n") for b in text.split("\n\n") if b.strip() and not b.startswith("// Extracted")]
    read = [moodle.readquestion(b) for b in blocks]
    assert [q["name"] for q in read] == [e["name"] for e in expected["questions"]]
    for question, want in zip(read, expected["questions"]):
        _check_like_moodle(question, want)


@needs_shared
def test_the_transliteration_reads_moodles_fixture_file_as_moodle_expects():
    expected = json.loads((GIFT_DIR / "moodle__giftformat_test_extracted.expected.json").read_text())
    read = moodle.readquestions((GIFT_DIR / "moodle__tests_fixtures__questions.gift.txt").read_text().split("\n"))
    for name, want in expected["also_from_same_file_for_fixtures/questions.gift.txt"].items():
        matching = [q for q in read if q["name"] == name]
        assert matching, name
        for question in matching:
            _check_like_moodle(question, want)


def test_the_transliteration_refuses_what_moodle_refuses():
    with pytest.raises(moodle.MoodleError, match="invalidgrade"):
        moodle.import_file("Q {~%35%a =b}")
    with pytest.raises(moodle.MoodleError, match="fractionsnomax"):
        moodle.import_file("Q {=%50%a}")
    assert moodle.import_file("Q {~%33.33333%a =b}")[0]["fraction"] == [0.3333333, 1.0]


# -- our export, imported by Moodle ---------------------------------------------------------------


def visible(text: str, fmt: str) -> str:
    """What a learner reads of ``text`` in a Moodle format (or ours: plain, html, markdown)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")  # a line end, however written
    if fmt == "plain":
        return text.strip()
    if fmt == "moodle":  # Moodle's own format: HTML, line breaks kept
        return html_to_text(text.replace("\n", "<br>"))
    if fmt == "html":
        return html_to_text(text)
    return html.unescape(text).strip()  # markdown: the source, entities read


def _ours_visible(q: Question):
    fmt = q.format if q.format in ("html", "markdown") else "plain"
    return lambda t: visible(t, fmt)


def nearest(weight: float) -> float:
    return min(moodle.FRACTION_OPTIONS_FULL, key=lambda g: abs(float(weight) - g))


def expected_in_moodle(q: Question) -> dict:
    """The Moodle question ``q`` should import as, worked out from our model alone."""
    v, f = _ours_visible(q), q.fields
    notes = f.get("feedback") if isinstance(f.get("feedback"), dict) else {}
    out: dict = {"idnumber": q.id, "tags": list(q.tags), "name": " ".join((q.title or q.id).split())}
    general = v(q.explanation) if q.type != "flashcard" else v(f["back"])
    out["generalfeedback"] = general
    if q.type in ("multiple_choice", "multiple_select"):
        choices = f["choices"]
        if q.type == "multiple_choice":
            weights = {c: (1.0 if c == f["answer"] else (f.get("weights") or {}).get(c, 0)) for c in choices}
        else:
            n = len(f["answers"])
            weights = f.get("weights") or {c: (1 / n if c in f["answers"] else -1 / n) for c in choices}
        out.update(qtype="multichoice", single=int(q.type == "multiple_choice"), questiontext=v(f["prompt"]),
                   answers=[(v(c), nearest(weights.get(c, 0)), v(notes.get(c, ""))) for c in choices])
    elif q.type == "true_false":
        out.update(qtype="truefalse", questiontext=v(f["prompt"]), correctanswer=int(f["answer"]),
                   feedbacktrue=v(notes.get("true", "")), feedbackfalse=v(notes.get("false", "")))
    elif q.type == "short_answer":
        answers = f["answers"]
        shown = [a.replace("->", "-*>") if len(answers) > 1 else a for a in answers]  # the export's notice
        out.update(qtype="shortanswer", questiontext=v(f["prompt"]),
                   answers=[(visible(s, "plain"), nearest((f.get("weights") or {}).get(a, 1)), v(notes.get(a, "")))
                            for a, s in zip(answers, shown)])
    elif q.type == "numeric":
        rows = [(float(f["answer"]), float(f.get("tolerance") or 0), 1.0, v(f.get("feedback") or ""))]
        rows += [(float(a["answer"]), float(a.get("tolerance") or 0), nearest(a.get("weight", 0)),
                  v(a.get("feedback") or "")) for a in f.get("alternatives") or []]
        if f.get("wrong_feedback"):
            rows.append(("*", "", 0.0, v(f["wrong_feedback"])))
        out.update(qtype="numerical", questiontext=v(f["prompt"]), answers=rows)
    elif q.type in ("matching", "ordering"):
        right = (lambda t: html_to_text(t) or str(t).strip()) if q.format == "html" else (lambda t: visible(t, "plain"))
        pairs = ([(v(a), right(b)) for a, b in f["pairs"]] + [("", right(d)) for d in f.get("distractors") or []]
                 if q.type == "matching" else [(str(n), right(item)) for n, item in enumerate(f["items"], 1)])
        out.update(qtype="match", questiontext=v(f["prompt"]), pairs=pairs)
    elif q.type == "flashcard":
        out.update(qtype="essay", questiontext=v(f["front"]))
    elif q.type == "cloze":
        parts = segments(f["text"])
        first = min(p.index for p in parts if p.index is not None)
        at = next(i for i, p in enumerate(parts) if p.index == first)
        before = "".join(p.text for p in parts[:at]).lstrip()
        after = "".join(p.text for p in parts[at + 1:]).rstrip()
        answer = html_to_text(parts[at].text) if q.format == "html" else parts[at].text.strip()
        # Moodle: the block becomes a blank, unless the question ends with it.
        text = before + ("_____" if after else "") + after
        out.update(qtype="shortanswer", questiontext=v(text), answers=[(answer, 1.0, "")])
    return out


def as_imported(m: dict) -> dict:
    """A question ``moodle_gift.import_file`` returned, in the terms of ``expected_in_moodle``."""
    out: dict = {"idnumber": m["idnumber"], "tags": m["tags"], "name": " ".join(html.unescape(m["name"]).split()),
                 "qtype": m["qtype"], "questiontext": visible(m["questiontext"], m["questiontextformat"]),
                 "generalfeedback": visible(m["generalfeedback"], m["generalfeedbackformat"])}
    if m["qtype"] == "multichoice":
        out["single"] = m["single"]
        out["answers"] = [(visible(a["text"], a["format"]), fr, visible(fb["text"], fb["format"]))
                          for a, fr, fb in zip(m["answer"], m["fraction"], m["feedback"])]
    elif m["qtype"] == "truefalse":
        out.update(correctanswer=m["correctanswer"],
                   feedbacktrue=visible(m["feedbacktrue"]["text"], m["feedbacktrue"]["format"]),
                   feedbackfalse=visible(m["feedbackfalse"]["text"], m["feedbackfalse"]["format"]))
    elif m["qtype"] == "shortanswer":
        out["answers"] = [(a, fr, visible(fb["text"], fb["format"]))
                          for a, fr, fb in zip(m["answer"], m["fraction"], m["feedback"])]
    elif m["qtype"] == "numerical":
        out["answers"] = [("*" if a == "*" else float(a), "" if t == "" else float(t), fr,
                           visible(fb["text"], fb["format"]))
                          for a, t, fr, fb in zip(m["answer"], m["tolerance"], m["fraction"], m["feedback"])]
    elif m["qtype"] == "match":
        out["pairs"] = [(visible(s["text"], s["format"]), a) for s, a in zip(m["subquestions"], m["subanswers"])]
    return out


def assert_moodle_imports(bank: Bank) -> list:
    export = export_gift(bank)
    imported = moodle.import_file(export.text)
    category, questions = imported[0], imported[1:]
    assert category["qtype"] == "category"
    assert moodle.split_category_path(category["category"])[2:] == [bank.title]
    assert len(questions) == len(bank.questions)
    for q, m in zip(bank.questions, questions):
        assert as_imported(m) == expected_in_moodle(q), (q, export.text)
    return export.notices


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(banks())
def test_every_export_imports_into_moodle_as_the_same_questions(bank):
    assert_moodle_imports(bank)


def test_moodle_reads_a_hand_picked_bank_of_every_type():
    bank = Bank(id="b", title="Top / Bottom \\ slash", questions=[
        Question(id="mc", type="multiple_choice", title="Capitals: France", fields={
            "prompt": "Capital of France? 1 < 2 & 3 > 2", "choices": ["Paris", "Lyon", "%5% off"], "answer": "Paris",
            "weights": {"Lyon": 0.35}, "feedback": {"Lyon": "No -> close"}}),
        Question(id="ms", type="multiple_select", fields={
            "prompt": "Pick", "choices": [f"c{i}" for i in range(12)], "answers": [f"c{i}" for i in range(11)]}),
        Question(id="tf", type="true_false", fields={"prompt": "Sky?", "answer": True,
                                                     "feedback": {"true": "Yes.", "false": "Look up."}}),
        Question(id="sa", type="short_answer", fields={"prompt": "Arrow?", "answers": ["a->b", "a to b"],
                                                       "feedback": {"a to b": "x -> y"}}),
        Question(id="sa1", type="short_answer", fields={"prompt": "Arrow?", "answers": ["a->b"],
                                                        "feedback": {"a->b": "x -> y"}}),
        Question(id="num", type="numeric", fields={"prompt": "Pi?", "answer": 3.1415, "tolerance": 0.0005,
                                                   "wrong_feedback": "Not pi."}),
        Question(id="m", type="matching", format="html", fields={
            "prompt": "<b>Match</b>", "pairs": [["one -> 1", "odd"], ["three", "odd"], ["two", "even"]]}),
        Question(id="m2", type="matching", fields={"prompt": "Match", "pairs": [["a->b", "x"], ["c", "y->z"]]}),
        Question(id="o", type="ordering", format="markdown", fields={"prompt": "**Order**", "items": ["a", "b"]}),
        Question(id="f", type="flashcard", fields={"front": "<tag> & co", "back": "Back"}),
        Question(id="c", type="cloze", fields={"text": "{{c1::Paris->}} is in {{c2::France}}."}),
    ])
    notices = assert_moodle_imports(bank)
    assert len(notices) == 1 + 12 + 1  # the 35 %, the 12 implied weights of +-1/11, one "->" answer
