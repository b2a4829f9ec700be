"""The native YAML/JSON format: every error at once with its line, lossless round trips, fuzz,
the built-in banks, and format detection."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks import formats
from quizapp.banks.model import Bank, ParseResult, Question
from quizapp.banks.native import dump_json, dump_yaml, parse_native, question_from_dict, question_to_dict

QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "questions"


def ok(text: str, file: str = "bank.yaml") -> Bank:
    result = parse_native(text, file)
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


def issues(text: str, file: str = "bank.yaml") -> list[tuple[int | None, str | None, str | None]]:
    """(line, question, field) of every error; the bank is refused."""
    result = parse_native(text, file)
    assert result.bank is None and result.errors
    assert all(e.file == file and e.level == "error" for e in result.errors)
    return [(e.line, e.question, e.field) for e in result.errors]


GOOD_YAML = """\
bank: 1
id: alliance
title: "The alliance: 1949-1956"
description: What each side wanted.
tags: [history, cold-war]
sources:
  wiki:
    title: Sino-Soviet relations
    file: 003.txt
questions:
  - id: mao-moscow
    type: multiple_choice
    prompt: "In late 1949 Mao went to Moscow chiefly to seek what?"
    choices: [Economic help, A border settlement, "Nuclear weapons", 'A seat at the UN']
    answer: Economic help
    explanation: >
      Mao's first trip abroad.
    source: wiki
    evidence: "In late 1949, Mao went to Moscow to seek economic help."
    tags: [mao]
    difficulty: easy
  - id: treaty-year
    type: numeric
    prompt: When was the treaty signed?
    answer: 1950
  - id: signed
    type: true_false
    prompt: The treaty was signed in Moscow.
    answer: false
"""


def test_a_good_bank_reads_into_the_model():
    bank = ok(GOOD_YAML)
    assert (bank.id, bank.title, bank.description, bank.tags) == (
        "alliance", "The alliance: 1949-1956", "What each side wanted.", ["history", "cold-war"])
    assert bank.sources == {"wiki": {"title": "Sino-Soviet relations", "file": "003.txt"}}
    mc, year, signed = bank.questions
    assert mc.fields == {"prompt": "In late 1949 Mao went to Moscow chiefly to seek what?",
                         "choices": ["Economic help", "A border settlement", "Nuclear weapons", "A seat at the UN"],
                         "answer": "Economic help"}
    assert (mc.explanation, mc.source, mc.evidence, mc.tags, mc.difficulty, mc.line) == (
        "Mao's first trip abroad.\n", "wiki", ["In late 1949, Mao went to Moscow to seek economic help."], ["mao"],
        "easy", 11)
    assert (year.type, year.fields["answer"], year.line) == ("numeric", 1950, 22)
    assert signed.fields["answer"] is False


# -- every error of a file at once, with its line --------------------------------------------------

THREE_BAD = """\
bank: 1
id: demo
title: Demo
questions:
  - id: fine
    type: flashcard
    front: Mao
    back: Chairman
  - id: wrong-answer
    type: multiple_choice
    prompt: Where?
    choices:
      - Moscow
      - Beijing
    answer: Paris
  - id: no-number
    type: numeric
    prompt: How many?
    answer: many
    tolerance: -1
  - id: Not A Slug
    type: riddle
    prompt: What walks on four legs?
"""


def test_every_error_of_a_file_is_reported_with_its_line_and_field():
    assert issues(THREE_BAD, "demo.yaml") == [
        (15, "wrong-answer", "answer"),
        (19, "no-number", "answer"),
        (20, "no-number", "tolerance"),
        (21, "Not A Slug", "id"),
        (22, "Not A Slug", "type"),
    ]
    messages = [str(e) for e in parse_native(THREE_BAD, "demo.yaml").errors]
    assert messages[0] == "demo.yaml:15: question 'wrong-answer' field 'answer': 'Paris' is not one of the choices"
    assert "unknown type 'riddle'" in messages[-1]


def test_the_line_of_an_item_inside_a_list_is_the_items_own_line():
    text = GOOD_YAML.replace("choices: [Economic help, A border settlement, \"Nuclear weapons\", 'A seat at the UN']",
                             "choices:\n      - Economic help\n      - \"\"\n      - Economic help")
    assert issues(text) == [(16, "mao-moscow", "choices[1]"), (17, "mao-moscow", "choices[2]")]


def test_a_yaml_syntax_error_names_its_line():
    result = parse_native("bank: 1\nid: demo\ntitle: [unclosed\nquestions: []\n", "demo.yaml")
    assert result.bank is None
    [error] = result.errors
    assert error.line == 4 and error.message.startswith("not valid YAML")
    tab = parse_native("bank: 1\nid: demo\nquestions:\n\t- id: x\n", "demo.yaml").errors
    assert tab[0].line == 4


def test_json_errors():
    broken = '{\n  "bank": 1,\n  "id": "demo",\n  "questions": [\n}\n'
    [error] = parse_native(broken, "demo.json").errors
    assert (error.line, error.file) == (5, "demo.json")
    assert error.message.startswith("not valid JSON")
    # A valid JSON bank with a bad question: the line comes from the text, as in YAML.
    bad = json.dumps({"bank": 1, "id": "demo", "title": "Demo", "questions": [
        {"id": "a", "type": "flashcard", "front": "Mao", "back": "Chairman"},
        {"id": "b", "type": "flashcard", "front": "Stalin"}]}, indent=2)
    assert issues(bad, "demo.json") == [(12, "b", "back")]  # the line of its "{"
    assert issues("[1, 2, 3]", "demo.json") == [(1, None, "questions")]


def test_a_bank_must_be_a_mapping_with_a_question_list():
    for text in ("", "just words", "- a\n- b\n", "id: demo\ntitle: T\n", "questions: several\n"):
        assert issues(text) == [(1, None, "questions")]


def test_a_question_that_is_not_a_mapping_is_reported_and_the_others_still_checked():
    text = "id: demo\ntitle: Demo\nquestions:\n  - just a sentence\n  - id: x\n    type: flashcard\n    front: F\n"
    result = parse_native(text, "demo.yaml")
    assert [(e.line, e.question, e.field, e.message) for e in result.errors] == [
        (4, "#1", None, "each question is a mapping of fields"),
        (5, "x", "back", "is required"),
    ]


def test_duplicate_ids_name_the_first_line():
    text = ("id: demo\ntitle: Demo\nquestions:\n"
            "  - {id: mao, type: flashcard, front: Mao, back: Chairman}\n"
            "  - {id: zhou, type: flashcard, front: Zhou, back: Premier}\n"
            "  - id: mao\n    type: flashcard\n    front: Mao Zedong\n    back: Chairman\n")
    [error] = parse_native(text, "demo.yaml").errors
    assert (error.line, error.field, error.question) == (6, "id", "mao")
    assert "line 4" in error.message


def test_bank_level_errors():
    text = "bank: 2\nid: not a slug\nquestions:\n  - {id: a, type: flashcard, front: F, back: B}\n"
    assert issues(text) == [(1, None, "bank"), (2, None, "id")]
    assert issues("questions: []\n") == [(1, None, "id"), (1, None, "title")]
    assert issues("id: demo\ntitle: Demo\nsources: several\nquestions: []\n") == [(3, None, "sources")]
    text = "id: demo\ntitle: Demo\nsources: {wiki: {file: a.txt}}\nquestions:\n" \
           "  - {id: a, type: flashcard, front: F, back: B, source: elsewhere}\n"
    assert issues(text) == [(5, "a", "source")]


def test_an_alias_bomb_is_refused_with_a_clear_error():
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    bomb = "\n".join(rows) + "\nquestions: *i\n"
    started = time.monotonic()
    result = parse_native(bomb, "bomb.yaml")
    assert time.monotonic() - started < 30
    assert result.bank is None
    [error] = result.errors
    assert "alias bomb" in error.message and error.line == 1  # where the expanding anchor starts


@pytest.mark.parametrize(("question", "field"), [
    ("{id: n, type: numeric, prompt: P, answer: 1, alternatives: 5}", "alternatives"),
    ("{id: n, type: numeric, prompt: P, answer: 1, alternatives: {answer: 2}}", "alternatives"),
    ("{id: n, type: cloze, text: '{{c" + "1" * 5000 + "::Mao}}'}", "text"),
])
def test_odd_field_values_are_errors_not_crashes(question, field):
    assert issues(f"id: demo\ntitle: Demo\nquestions:\n  - {question}\n") == [(4, "n", field)]


def test_ordinary_anchors_and_merge_keys_work():
    text = ("id: demo\ntitle: Demo\ncommon: &common {type: flashcard, source: wiki}\nsources: {wiki: {file: a}}\n"
            "questions:\n  - {<<: *common, id: a, front: Mao, back: Chairman}\n"
            "  - {<<: *common, id: b, front: Zhou, back: Premier}\n")
    bank = ok(text)
    assert [(q.type, q.source) for q in bank.questions] == [("flashcard", "wiki")] * 2


@pytest.mark.parametrize("text", [
    "? [a, b]\n: c\nquestions: []\n",  # a list as a key
    "id: !!python/object:os.system x\nquestions: []\n",  # no arbitrary objects
    "when: 2026-13-45\nquestions: []\n",  # an impossible date
    "[" * 5000,
    '{"questions": ' + "[" * 5000 + "]" * 5000 + "}",
])
def test_odd_documents_give_errors_not_exceptions(text):
    result = parse_native(text, "odd.yaml")
    assert result.bank is None and result.errors


# -- round trips -----------------------------------------------------------------------------------

# Text of every kind a teacher types: unicode, quotes, colons, '#', YAML and JSON punctuation, new lines.
TEXT = st.text(
    st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(list("\n\t\"':#-{}[]&*!|>%@`,?")),
    min_size=1, max_size=25,
).filter(str.strip)
WORD = st.text(st.characters(categories=["L", "N"]) | st.sampled_from(list(" :#'\"")), min_size=1,
               max_size=12).filter(str.strip)
SLUG = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
NUMBER = st.integers(-10**6, 10**6) | st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
WEIGHT = st.floats(-1, 1, allow_nan=False).map(lambda w: round(w, 4))
JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORD, inner, max_size=3),
                       max_leaves=6)


def texts(minimum: int, maximum: int = 5):
    return st.lists(TEXT, min_size=minimum, max_size=maximum, unique=True)


@st.composite
def type_fields(draw, qtype: str) -> dict:
    prompt = draw(TEXT)
    if qtype == "flashcard":
        return {"front": draw(TEXT), "back": draw(TEXT)}
    if qtype == "multiple_choice":
        choices = draw(texts(2))
        fields = {"prompt": prompt, "choices": choices, "answer": draw(st.sampled_from(choices))}
        if draw(st.booleans()):
            fields["weights"] = {c: draw(WEIGHT) for c in choices if c != fields["answer"]}
        if draw(st.booleans()):
            fields["feedback"] = {c: draw(TEXT) for c in choices}
        return fields
    if qtype == "multiple_select":
        choices = draw(texts(2))
        fields = {"prompt": prompt, "choices": choices,
                  "answers": draw(st.lists(st.sampled_from(choices), min_size=1, unique=True))}
        if draw(st.booleans()):
            fields["weights"] = {c: draw(WEIGHT) for c in choices}
        if draw(st.booleans()):
            fields["feedback"] = {draw(st.sampled_from(choices)): draw(TEXT)}
        return fields
    if qtype == "true_false":
        fields = {"prompt": prompt, "answer": draw(st.booleans())}
        if draw(st.booleans()):
            fields["feedback"] = {"true": draw(TEXT), "false": draw(TEXT)}
        return fields
    if qtype == "short_answer":
        answers = draw(texts(1) | st.just(["Mao*", "*"]))
        fields = {"prompt": prompt, "answers": answers}
        if draw(st.booleans()):
            fields["weights"] = {answers[-1]: draw(WEIGHT)}
            fields["feedback"] = {a: draw(TEXT) for a in answers}
        return fields
    if qtype == "numeric":
        fields = {"prompt": prompt, "answer": draw(NUMBER)}
        if draw(st.booleans()):
            fields["tolerance"] = abs(draw(NUMBER))
        if draw(st.booleans()):
            fields["unit"] = draw(TEXT)
        if draw(st.booleans()):
            fields["feedback"] = draw(TEXT)
        if draw(st.booleans()):
            fields["alternatives"] = draw(st.lists(st.fixed_dictionaries(
                {"answer": NUMBER, "weight": WEIGHT}, optional={"tolerance": st.integers(0, 10), "feedback": TEXT}),
                min_size=1, max_size=2))
        return fields
    if qtype == "cloze":
        plain = st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="{}") | st.just("\n"),
                        max_size=12)
        answer = st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="{}:"),
                         min_size=1, max_size=10).filter(str.strip)
        parts = []
        for n in range(1, draw(st.integers(1, 3)) + 1):
            hint = draw(st.none() | answer)
            parts.append(draw(plain) + f"{{{{c{n}::{draw(answer)}" + (f"::{hint}" if hint else "") + "}}")
        fields = {"text": "".join(parts) + draw(plain)}
        if draw(st.booleans()):
            fields["extra"] = draw(TEXT)
        return fields
    if qtype == "ordering":
        return {"prompt": prompt, "items": draw(texts(2))}
    lefts, rights = draw(texts(2, 4)), draw(texts(4, 4))
    fields = {"prompt": prompt, "pairs": [[left, right] for left, right in zip(lefts, rights)]}
    if draw(st.booleans()):
        fields["distractors"] = draw(texts(0, 2))
    return fields


TYPES = ["flashcard", "multiple_choice", "multiple_select", "true_false", "short_answer", "numeric", "cloze",
         "ordering", "matching"]
COMMON = {"id", "type", "explanation", "source", "evidence", "tags", "difficulty", "format"}
OWN = {"flashcard": {"front", "back"}, "cloze": {"text", "extra"}, "matching": {"pairs", "distractors"},
       "ordering": {"items"}}


@st.composite
def questions(draw, qid: str, sources: list[str]) -> Question:
    qtype = draw(st.sampled_from(TYPES))
    fields = draw(type_fields(qtype))
    taken = COMMON | set(fields) | OWN.get(qtype, set()) | {
        "prompt", "choices", "answer", "answers", "weights", "feedback", "tolerance", "unit", "alternatives"}
    extra = draw(st.dictionaries(WORD.filter(lambda k: k not in taken), JSONISH, max_size=2))
    return Question(
        id=qid, type=qtype, fields=fields,
        explanation=draw(st.just("") | TEXT),
        source=draw(st.none() | st.sampled_from(sources)) if sources else None,
        evidence=draw(st.lists(TEXT, max_size=2)),
        tags=draw(st.lists(WORD, max_size=3)),
        difficulty=draw(st.sampled_from([None, "easy", "medium", "hard"])),
        format=draw(st.sampled_from(["plain", "html", "markdown"])),
        extra=extra,
    )


@st.composite
def banks(draw) -> Bank:
    sources = draw(st.dictionaries(SLUG, st.fixed_dictionaries({"title": TEXT, "file": TEXT}), max_size=2))
    ids = draw(st.lists(SLUG, min_size=1, max_size=6, unique=True))
    return Bank(
        id=draw(SLUG), title=draw(TEXT), description=draw(st.just("") | TEXT),
        tags=draw(st.lists(WORD, max_size=3)), sources=sources,
        questions=[draw(questions(qid, list(sources))) for qid in ids],
        extra=draw(st.dictionaries(WORD.filter(lambda k: k not in {
            "bank", "id", "title", "description", "tags", "sources", "questions"}), JSONISH, max_size=2)),
    )


def round_trip(bank: Bank, dump, file: str) -> Bank:
    result = parse_native(dump(bank), file)
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks())
def test_yaml_round_trip_loses_nothing(bank):
    assert round_trip(bank, dump_yaml, "bank.yaml") == bank


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks())
def test_json_round_trip_loses_nothing(bank):
    again = round_trip(bank, dump_json, "bank.json")
    assert again == bank
    assert round_trip(again, dump_yaml, "bank.yaml") == bank


def test_round_trip_keeps_awkward_text_and_unknown_keys():
    q = Question("q-1", "short_answer", {"prompt": 'He said: "no" # not a comment\nSecond line', "answers": ["yes"]},
                 explanation="50% — 'quoted' — 毛泽东", extra={"x-reviewed-by": "Ada", "notes": {"a": [1, None]}})
    bank = Bank("demo", "Demo: a title", [q], description="line one\nline two\n", extra={"x-licence": "CC-BY"})
    for dump, file in ((dump_yaml, "demo.yaml"), (dump_json, "demo.json")):
        again = round_trip(bank, dump, file)
        assert again == bank
        assert again.questions[0].fields["prompt"] == 'He said: "no" # not a comment\nSecond line'
        assert again.questions[0].extra == {"x-reviewed-by": "Ada", "notes": {"a": [1, None]}}
        assert again.extra == {"x-licence": "CC-BY"}


def test_question_dicts_keep_the_file_order_and_a_single_evidence_as_text():
    raw = {"id": "a", "type": "flashcard", "front": "F", "back": "B", "evidence": "one quote", "x": 1}
    q = question_from_dict(raw)
    assert q.evidence == ["one quote"] and q.extra == {"x": 1}
    assert question_to_dict(q) == raw
    assert list(question_to_dict(q)) == ["id", "type", "front", "back", "evidence", "x"]


# -- fuzz ------------------------------------------------------------------------------------------

YAMLISH = st.lists(st.sampled_from([
    "bank: 1\n", "id: demo\n", "title: T\n", "questions:\n", "  - ", "id: q\n", "    type: ", "flashcard\n",
    "numeric\n", "cloze\n", "matching\n", "    front: F\n", "    answer: ", "1\n", "[a, b]\n", "{{c1::x}}\n",
    "    text: ", "    pairs: [[a, b], [c]]\n", "    alternatives: ", "&a ", "*a\n", "<<: ", "? ", ": ", "- ",
    "{", "}", "[", "]", '"', "'", "#", "\t", "\n", " ", "!!binary ", "!!set ", "~", ".nan", "null",
]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | YAMLISH, st.sampled_from(["f.yaml", "f.json"]))
def test_any_text_gives_a_parse_result_never_an_exception(text, file):
    result = parse_native(text, file)
    assert isinstance(result, ParseResult)
    assert (result.bank is None) == bool(result.errors)
    for error in result.errors:
        assert error.file == file and error.message
        assert error.line is None or 1 <= error.line <= len(text.splitlines()) + 2


STRUCTURED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["flashcard", "numeric", "cloze", "matching", "ordering", "{{c1::x}}", "{{c99999999999::x}}"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "prompt", "answer", "answers", "choices", "weights", "feedback", "pairs",
                         "items", "text", "alternatives", "tolerance", "evidence", "tags", "source", "format",
                         "difficulty", "front", "back", "distractors", "explanation"]), inner, max_size=6),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(STRUCTURED, max_size=4))
def test_any_question_data_gives_errors_never_an_exception(questions_data):
    text = json.dumps({"bank": 1, "id": "demo", "title": "Demo", "questions": questions_data})
    result = parse_native(text, "f.json")
    assert isinstance(result, ParseResult)
    if result.ok:
        assert parse_native(dump_yaml(result.bank), "f.yaml").bank == result.bank


# -- the built-in banks ----------------------------------------------------------------------------

BUILTIN = sorted(QUESTIONS_DIR.glob("*.yaml"))


def test_there_are_built_in_banks():
    assert len(BUILTIN) >= 9


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.name)
def test_every_built_in_bank_loads_without_errors(path):
    result = parse_native(path.read_text(encoding="utf-8"), path.name)
    assert result.ok, [str(e) for e in result.errors]
    bank = result.bank
    assert bank.id == path.stem and bank.title and bank.questions
    assert all(q.source in bank.sources and q.evidence for q in bank.questions)
    assert parse_native(dump_yaml(bank), path.name).bank == bank


# -- formats.detect and formats.parse --------------------------------------------------------------

GIFT = "::capital::Where did Mao travel in 1949?{=Moscow ~Beijing}\n"


@pytest.mark.parametrize(("data", "filename", "expected"), [
    (GOOD_YAML.encode(), "upload.bin", "yaml"),
    ("\ufeff".encode() + GOOD_YAML.encode(), "", "yaml"),
    (b"id: demo\ntitle: Demo\nquestions: []\n", "", "yaml"),
    (b"id: demo\ntitle: Demo\n", "bank.yml", "yaml"),
    (json.dumps({"bank": 1, "questions": []}).encode(), "bank.txt", "json"),
    (b"[1, 2]", "", "json"),
    (GIFT.encode(), "questions.txt", "gift"),
    (b"$CATEGORY: History\n\nMao went to Moscow.{T}\n", "", "gift"),
    (b"Who led the KMT? { =Chiang Kai-shek }\n", "", "gift"),
    (b"// comment only\n", "quiz.gift", "gift"),
    (b"front,back\nMao,Chairman\n", "cards.csv", "csv"),
    (b"Mao\tChairman\nZhou\tPremier\n", "cards.txt", "csv"),
    (b"#separator:tab\n#html:false\nMao {{c1::Zedong}}\textra\n", "", "csv"),
    (b"PK\x03\x04rest-of-a-zip", "deck.csv", "apkg"),
    (b"{not json at all", "x.csv", "csv"),
])
def test_detect_judges_by_content(data, filename, expected):
    assert formats.detect(data, filename) == expected


def test_parse_reads_each_text_format():
    assert formats.parse(GOOD_YAML.encode(), "a.yaml").bank.id == "alliance"
    assert formats.parse(dump_json(ok(GOOD_YAML)).encode(), "a.json").bank == ok(GOOD_YAML)
    gift = formats.parse(GIFT.encode(), "quiz.gift")
    assert gift.ok and gift.bank.questions[0].fields["answer"] == "Moscow"


def test_parse_refuses_text_that_is_not_utf8_naming_the_line():
    latin1 = "bank: 1\nid: demo\ntitle: Café\nquestions: []\n".encode("latin-1")
    result = formats.parse(latin1, "demo.yaml")
    assert result.bank is None
    [error] = result.errors
    assert (error.file, error.line) == ("demo.yaml", 3)
    assert "UTF-8" in error.message
    assert formats.parse(b"\xff\xfe\x00q\x00", "x.gift", "gift").errors[0].line == 1
    assert formats.parse(GOOD_YAML.encode(), "a.yaml", "docx").errors[0].message.startswith("unknown format")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["a.yaml", "a.json", "a.gift", "a.txt", "a.csv", ""]))
def test_any_bytes_give_a_parse_result(data, filename):
    result = formats.parse(data, filename)
    assert isinstance(result, ParseResult)
    assert result.ok or result.errors


def test_unquoted_true_false_feedback_keys_are_read_as_answers():
    text = ("bank: 1\nid: tf\ntitle: TF\nquestions:\n  - id: q\n    type: true_false\n    prompt: The sky is green.\n"
            "    answer: false\n    feedback:\n      true: No, look up.\n      false: Right.\n")
    result = parse_native(text, "tf.yaml")
    assert result.ok, [str(e) for e in result.errors]
    from quizapp.domain.questions import get_type

    outcome = get_type("true_false").grade(result.bank.questions[0].fields, True)
    assert outcome.score == 0 and outcome.feedback == "No, look up."


def test_bytes_are_read_and_bad_bytes_are_a_clear_error():
    good = parse_native(b"bank: 1\nid: b\ntitle: B\nquestions: []\n", "b.yaml")
    assert good.ok
    bad = parse_native(b"bank: 1\nid: b\n\xff\xfe", "b.yaml")
    assert not bad.ok and bad.errors[0].line == 3 and "UTF-8" in bad.errors[0].message
