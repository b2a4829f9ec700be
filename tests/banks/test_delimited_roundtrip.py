"""Types survive the bank CSV/TSV export: native -> CSV -> native and native -> TSV -> native give
the same questions for every type the registry has (hypothesis draws awkward text: separators,
quotes, newlines, CRs, leading spaces, formula starts, braces, HTML). A cell edited in a
spreadsheet after export either takes effect (flashcards, clozes, explanations, tags) or is an
error that says where, never a silent loss; Anki reads the same file as notes."""
from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizapp.banks import formats
from quizapp.banks.delimited import dump_csv, dump_tsv, parse_delimited
from quizapp.banks.model import Bank, Question, validate_question
from quizapp.banks.native import from_data
from quizapp.domain.questions import REGISTRY
from tests.factories import QUESTIONS

ROUND_TRIP = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.filter_too_much])
# Text as teachers and spreadsheets write it, and the characters CSV and our guard care about.
AWKWARD = st.sampled_from([",", ";", "\t", '"', "'", "\n", "\r\n", "\r", "#", "=", "+", "-", "@", "{", "}", "|",
                           " ", "  ", "<b>", "</b>", "&amp;", "é", "日本", "→", "\u2028", "::", "[sound:x.mp3]"])
WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6)
TEXT = st.lists(WORD | AWKWARD, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip())
PLAIN_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,;'-]{0,10}", fullmatch=True).map(str.strip).filter(bool)


def distinct(strategy, least: int, most: int = 5):
    return st.lists(strategy, min_size=least, max_size=most, unique_by=str)


@st.composite
def type_fields(draw, qtype: str) -> dict:
    prompt = draw(TEXT)
    if qtype == "flashcard":
        return {"front": prompt, "back": draw(TEXT)}
    if qtype == "cloze":
        parts = [draw(TEXT).replace("{", "(").replace("}", ")").replace(":", ";")
                 for _ in range(draw(st.integers(1, 3)))]
        text = " ".join(f"{p} {{{{c{n}::{draw(PLAIN_WORD)}}}}}" for n, p in enumerate(parts, 1))
        fields = {"text": text}
        if draw(st.booleans()):
            fields["extra"] = draw(TEXT)
        if draw(st.booleans()):
            fields["case_sensitive"] = draw(st.booleans())
        return fields
    if qtype in ("multiple_choice", "multiple_select"):
        choices = draw(distinct(TEXT, 2))
        fields = {"prompt": prompt, "choices": choices}
        if qtype == "multiple_choice":
            fields["answer"] = draw(st.sampled_from(choices))
        else:
            fields["answers"] = draw(st.lists(st.sampled_from(choices), min_size=1, unique=True))
        if draw(st.booleans()):
            fields["weights"] = {c: draw(st.sampled_from([-1, -0.5, 0, 0.25, 1])) for c in choices[:2]}
        if draw(st.booleans()):
            fields["feedback"] = {choices[0]: draw(TEXT)}
        return fields
    if qtype == "true_false":
        return {"prompt": prompt, "answer": draw(st.booleans())}
    if qtype == "short_answer":
        fields = {"prompt": prompt, "answers": draw(distinct(TEXT, 1))}
        if draw(st.booleans()):
            fields["typos"] = draw(st.booleans())
        return fields
    if qtype == "numeric":
        number = st.integers(-10**6, 10**6) | st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
        fields = {"prompt": prompt, "answer": draw(number)}
        if draw(st.booleans()):
            fields["tolerance"] = draw(st.sampled_from([0, 0.5, 2]))
        if draw(st.booleans()):
            fields["unit"] = draw(PLAIN_WORD)
        if draw(st.booleans()):
            fields["alternatives"] = [{"answer": draw(number), "weight": 0.5, "feedback": draw(TEXT)}]
        return fields
    if qtype == "ordering":
        return {"prompt": prompt, "items": draw(distinct(TEXT, 2))}
    if qtype == "matching":
        lefts = draw(distinct(TEXT, 2, 4))
        fields = {"prompt": prompt, "pairs": [[left, draw(TEXT)] for left in lefts]}
        if draw(st.booleans()):
            fields["distractors"] = draw(distinct(TEXT, 1, 2))
        return fields
    raise AssertionError(f"no strategy for the question type {qtype!r}: add one")


@st.composite
def questions(draw, qid: str, qtype: str) -> Question:
    q = Question(qid, qtype, draw(type_fields(qtype)),
                 explanation=draw(st.just("") | TEXT),
                 source=draw(st.none() | st.just("doc")),
                 evidence=draw(st.lists(TEXT, max_size=2)),
                 tags=draw(st.lists(st.sampled_from(["geo", "two words", "x:y", "a_b", "-minus"]), unique=True,
                                    max_size=3)),
                 difficulty=draw(st.none() | st.sampled_from(["easy", "medium", "hard"])),
                 format=draw(st.sampled_from(["plain", "plain", "html", "markdown"])),
                 extra=draw(st.just({}) | st.just({"x-note": "kept"})),
                 title=draw(st.just("") | PLAIN_WORD))
    assume(not validate_question(q))
    return q


@st.composite
def banks(draw, types: tuple[str, ...] = tuple(REGISTRY)) -> Bank:
    chosen = draw(st.lists(st.sampled_from(types), min_size=1, max_size=6))
    qs = [draw(questions(f"q{n}-{t.replace('_', '-')}", t)) for n, t in enumerate(chosen)]
    return Bank(draw(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)), draw(TEXT.map(str.strip)), qs,
                description=draw(st.just("") | TEXT), tags=draw(st.lists(PLAIN_WORD, max_size=2, unique=True)),
                sources={"doc": {"title": "A document", "file": "doc.txt"}})


@pytest.mark.parametrize("qtype", list(REGISTRY))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_each_type_of_the_registry_round_trips_through_csv_and_tsv(qtype, data):
    """Every registered type, one at a time (a new type fails here until type_fields draws it)."""
    bank = Bank("types", "Types", [data.draw(questions("q1", qtype))])
    for dump in (dump_csv, dump_tsv):
        result = parse_delimited(dump(bank), "types.csv")
        assert result.errors == [], [str(e) for e in result.errors]
        assert result.bank.questions == bank.questions


@pytest.mark.parametrize("dump", [dump_csv, dump_tsv], ids=["csv", "tsv"])
@ROUND_TRIP
@given(bank=banks())
def test_native_to_delimited_to_native_gives_the_same_questions_for_every_type(dump, bank):
    result = parse_delimited(dump(bank), "bank.txt")
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.notices == []
    assert result.bank.questions == bank.questions
    assert result.bank == bank  # the bank's title, description, tags and sources too


@pytest.mark.parametrize("qtype", list(REGISTRY))
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_each_type_round_trips_through_the_upload_entry_point(qtype, fmt):
    """Exported as the bank page's buttons do, read back as an upload is (bytes, detected format)."""
    raw = next(q for q in QUESTIONS if q["type"] == qtype) if any(q["type"] == qtype for q in QUESTIONS) else None
    if raw is None:
        pytest.fail(f"tests/factories.QUESTIONS has no {qtype} question")
    bank = from_data({"bank": 1, "id": "demo", "title": "Demo", "sources": {"doc": {"title": "D"}},
                      "questions": [raw]}, "demo.yaml").bank
    data = formats.dump(bank, fmt)
    assert formats.detect(data, f"demo.{fmt}") == "csv"
    back = formats.parse(data, f"demo.{fmt}")
    assert back.ok, [str(e) for e in back.errors]
    assert back.bank.questions == bank.questions and back.bank.questions[0].type == qtype


def test_an_export_from_before_the_type_columns_still_reads_its_typed_questions_as_flashcards():
    old = ('#separator:Tab\n#html:false\n#deck:Demo\n#guid column:1\n#notetype column:2\n#tags column:6\n'
           '#columns:GUID\tNotetype\tFront\tBack\tExplanation\tTags\n'
           'quizapp:demo/capital\tBasic\t"Where?\n- Beijing\n- Moscow"\tMoscow\t\t\n')
    q, = parse_delimited(old, "old.txt").bank.questions
    assert (q.id, q.type, q.fields) == ("capital", "flashcard", {"front": "Where?\n- Beijing\n- Moscow",
                                                                "back": "Moscow"})


def test_the_type_column_names_each_question_type():
    rows = [r for r in csv.reader(io.StringIO(dump_csv(_bank()))) if r and not r[0].startswith("#")]
    assert [r[6] for r in rows] == [q["type"] for q in QUESTIONS]


# -- cells edited in a spreadsheet after export ---------------------------------------------------

def _bank() -> Bank:
    return from_data({"bank": 1, "id": "demo", "title": "Demo", "questions": QUESTIONS}, "d.yaml").bank


def _edit(text: str, qid: str, column: int, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        if row and row[0] == f"quizapp:demo/{qid}":
            row[column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_an_edited_flashcard_or_cloze_takes_the_new_text_and_keeps_the_rest():
    text = dump_csv(_bank())
    text = _edit(_edit(text, "card", 3, "The break, of the 1960s"), "cloze", 2, "{{c1::Mao}} met Stalin")
    result = parse_delimited(text, "demo.csv")
    assert result.errors == []
    by_id = {q.id: q for q in result.bank.questions}
    assert by_id["card"].fields == {"front": "Sino-Soviet split", "back": "The break, of the 1960s"}
    assert by_id["cloze"].fields == {"text": "{{c1::Mao}} met Stalin"}


def _line(text: str, qid: str) -> int:
    return text[: text.index(f"quizapp:demo/{qid},")].count("\n") + 1


def test_an_edited_front_of_a_multiple_choice_is_an_error_naming_the_row_and_the_column():
    text = _edit(dump_csv(_bank()), "capital", 2, "Where did Mao go?")
    result = parse_delimited(text, "demo.csv")
    assert result.bank is None
    [error] = result.errors
    assert (error.line, error.field, error.question) == (_line(text, "capital"), "Front", "capital")
    assert "read from the Data cell" in error.message and "clear the Type and Data cells" in error.message


def test_an_edited_explanation_or_tags_of_a_typed_question_take_effect():
    text = _edit(_edit(dump_csv(_bank()), "members", 4, "Both were, in 1950."), "members", 5, "cold-war asia")
    q = next(q for q in parse_delimited(text, "demo.csv").bank.questions if q.id == "members")
    assert (q.type, q.explanation, q.tags) == ("multiple_select", "Both were, in 1950.", ["cold-war", "asia"])


def test_clearing_type_and_data_imports_the_row_as_a_flashcard():
    text = _edit(_edit(dump_csv(_bank()), "year", 6, ""), "year", 7, "")
    q = next(q for q in parse_delimited(text, "demo.csv").bank.questions if q.id == "year")
    assert (q.type, q.fields) == ("flashcard", {"front": "When was the PRC proclaimed?", "back": "1949"})


@pytest.mark.parametrize(("column", "value", "message"), [
    (6, "essay", "unknown question type 'essay'"),
    (7, "{not json", "the Data cell is not valid JSON"),
    (7, "[1, 2]", "the Data cell must hold a JSON object"),
    (7, "", "a number question needs its Data cell"),
    (7, '{"prompt": "When?", "answer": "soon"}', "must be a number"),
    (7, '{"prompt": "When?\\u0000", "answer": 1949}', "NUL"),
    (7, '{"prompt": "When?\\ud800", "answer": 1949}', "lone surrogate"),
    (7, "[" * 5000 + "]" * 5000, "the Data cell"),
])
def test_a_broken_type_or_data_cell_is_an_error_on_its_line(column, value, message):
    text = _edit(dump_csv(_bank()), "year", column, value)
    result = parse_delimited(text, "demo.csv")
    assert result.bank is None
    assert [e.line for e in result.errors] == [_line(text, "year")]
    assert message in result.errors[0].message


def test_anki_imports_every_type_as_notes_and_ignores_the_extra_columns(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    bank = _bank()
    bank.description = "Shown nowhere in Anki"
    for name, dump in (("bank.csv", dump_csv), ("bank.tsv", dump_tsv)):
        path = tmp_path / name
        path.write_text(dump(bank), encoding="utf-8")
        col = anki_collection.Collection(str(tmp_path / f"{name}.anki2"))
        try:
            metadata = col.get_csv_metadata(str(path), None)
            col.import_csv(anki_collection.ImportCsvRequest(path=str(path), metadata=metadata))
            notes = {n.guid: n for n in (col.get_note(i) for i in col.find_notes(""))}
            assert len(notes) == len(QUESTIONS)
            capital = notes["quizapp:demo/capital"]
            assert capital["Front"].startswith("Where did Mao travel in December 1949?")
            assert capital["Back"] == "Moscow"
            assert notes["quizapp:demo/cloze"].note_type()["name"] == "Cloze"
            assert not any("{" in n["Back"] for n in notes.values() if "Back" in n)  # no Data in a field
        finally:
            col.close()


def test_the_data_cell_is_json_of_the_native_question():
    rows = [r for r in csv.reader(io.StringIO(dump_csv(_bank()))) if r and r[0] == "quizapp:demo/match"]
    assert json.loads(rows[0][7]) == {"prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]}
