"""The native format's reading hardened: lines of field errors after a malformed entry, YAML 1.2
core types (``on`` is text), lossless round trips of awkward text and of images (the zip), values
no database stores (NUL, lone surrogates, infinities) refused by the validation every format shares,
column lengths, and hostile files (deep, long numbers, alias bombs) refused with a line, in bounded
time and memory."""
from __future__ import annotations

import json
import time
import tracemalloc

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks import formats
from quizapp.banks.model import Bank, Question, validate_bank
from quizapp.banks.native import dump_json, dump_yaml, parse_native, to_data
from quizapp.banks.native_zip import dump_archive, parse_archive

HEAD = "bank: 1\nid: demo\ntitle: Demo\nquestions:\n"


def errors(text: str, file: str = "bank.yaml") -> list[tuple[int | None, str | None, str | None, str]]:
    result = parse_native(text, file)
    assert result.bank is None and result.errors, "expected the file to be refused"
    return [(e.line, e.question, e.field, e.message) for e in result.errors]


# -- line attribution after a malformed entry ------------------------------------------------------

def test_a_field_error_after_a_malformed_entry_names_that_fields_own_line():
    text = HEAD + (
        "  - just a sentence, not a mapping\n"  # 5: skipped, so the entries after it move up one
        "  - id: first\n"  # 6
        "    type: multiple_choice\n"
        "    prompt: Where?\n"
        "    choices: [Moscow, Beijing]\n"  # 9
        "    answer: Moscow\n"  # 10
        "  - id: second\n"  # 11
        "    type: multiple_choice\n"
        "    prompt: Where?\n"
        "    choices:\n"
        "      - Moscow\n"
        "      - Beijing\n"
        "    answer: Paris\n"  # 17: the error is here, not at line 10 (the entry before's answer)
    )
    assert [(line, q, f) for line, q, f, _ in errors(text)] == [(5, "#1", None), (17, "second", "answer")]


def test_every_field_error_of_entries_after_two_malformed_ones_keeps_its_line():
    text = HEAD + "  - 1\n  - [a, b]\n" + (
        "  - id: n\n"  # 7
        "    type: numeric\n"
        "    prompt: How many?\n"
        "    answer: many\n"  # 10
        "    tolerance: -1\n"  # 11
    )
    found = [(line, f) for line, _, f, _ in errors(text)]
    assert found == [(5, None), (6, None), (10, "answer"), (11, "tolerance")]


# -- YAML 1.2 core schema ------------------------------------------------------------------------

@pytest.mark.parametrize(("plain", "value"), [
    # YAML 1.1 (PyYAML's safe_load) reads each of these as something else: a bool, 80, a date, 10.
    ("on", "on"), ("On", "On"), ("off", "off"), ("yes", "yes"), ("No", "No"), ("y", "y"), ("n", "n"),
    ("1:20", "1:20"), ("2024-01-01", "2024-01-01"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("=", "="), ("1_000", "1_000"), ("0b101", "0b101"), ("+.5e3x", "+.5e3x"),
    # The core schema's own types (YAML 1.2.2, 10.3.2).
    ("true", True), ("False", False), ("TRUE", True), ("null", None), ("~", None), ("", None),
    ("12", 12), ("012", 12), ("-3", -3), ("0o14", 12), ("0xC", 12), ("1e3", 1000.0), ("-.5", -0.5),
    ("1.", 1.0),
])
def test_plain_scalars_are_read_by_the_yaml_1_2_core_schema(plain, value):
    bank = parse_native(f"{HEAD}  - {{id: q, type: flashcard, front: F, back: B, x: {plain}}}\n").bank
    assert bank is not None
    got = bank.questions[0].extra["x"]
    assert got == value and type(got) is type(value)


def test_yaml_1_1_values_are_text_where_they_used_to_change_silently():
    """Before: the tag ``on`` became "True", ``1:20`` became "80" and a choice ``No`` the boolean False."""
    text = HEAD + ("  - id: q\n    type: multiple_choice\n    prompt: Is it on?\n    choices: [Yes, No, 'Maybe']\n"
                   "    answer: No\n    tags: [on, off, 1:20, 2024-01-01]\n")
    q = parse_native(text).bank.questions[0]
    assert q.fields["choices"] == ["Yes", "No", "Maybe"] and q.fields["answer"] == "No"
    assert q.tags == ["on", "off", "1:20", "2024-01-01"]
    assert yaml.safe_load(text)["questions"][0]["tags"] == [True, False, 80, __import__("datetime").date(2024, 1, 1)]


@pytest.mark.parametrize(("value", "words"), [
    ("!!timestamp 2024-01-01", "tag"), ("!!binary aGk=", "tag"), ("!!set {a, b}", "tag"), ("!!omap [a: 1]", "tag"),
    ("!custom x", "tag"), ("!!int x1", "not an integer"), ("!!bool yes", "not true or false"),
    ("!!float abc", "not a number"),
])
def test_explicit_tags_other_than_the_core_types_are_refused_with_their_line(value, words):
    [(line, _, _, message)] = errors(f"{HEAD}  - id: q\n    type: flashcard\n    front: F\n    back: B\n"
                                     f"    x: {value}\n")
    assert line == 9 and words in message


def test_an_exported_bank_quotes_what_either_yaml_version_would_misread():
    awkward = ["on", "yes", "No", "y", "1:20", "2024-01-01", "012", "0o17", "1e3", "0x1F", "~", "null", "<<", "=",
               ".inf", "-.5", "true", "#", " leading", "trailing ", "- dash", "key: value", "é中文🙂"]
    q = Question("q", "ordering", {"prompt": "Order", "items": awkward}, tags=awkward[:5])
    bank = Bank("demo", "on", [q], extra={"on": "off", "012": "1:20"})
    written = dump_yaml(bank)
    assert parse_native(written).bank == bank
    # The reference YAML 1.1 reader (PyYAML's safe_load) reads the same text back too.
    assert yaml.safe_load(written) == to_data(bank)
    assert "- 'on'" in written or '- "on"' in written


# -- round trips with awkward text and images ------------------------------------------------------

AWKWARD = st.sampled_from([
    "on", "On", "off", "yes", "no", "y", "n", "Y", "1:20", "2024-01-01", "2024-01-01 10:00:00", "012", "0o17",
    "1e3", "0x1F", "+1", ".5", ".inf", ".NaN", "~", "null", "Null", "true", "False", "<<", "=", "#", "# x",
    " leading", "trailing ", "  ", "- x", ": x", "? x", "!x", "&a", "*a", "'", '"', "%x", "@x", "`x", "|", ">",
    "{}", "[]", "a: b", "a #b", "\n", "line\nline", "é", "中文", "🙂", "\u2028", "\x85", "\ufeff", "\t",
])
TEXT = (AWKWARD | st.text(st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(list("\n\t:#'\"")),
                          min_size=1, max_size=15)).filter(str.strip)
IDS = st.sampled_from(["on", "yes", "no", "off", "y", "012", "1e3", "0x1F", "2024-01-01", "true", "null", "1.5",
                       "q-1", "a.b_c"])
KEY = AWKWARD.filter(lambda k: k not in {"<<"} and k.strip()) | st.text("abcxyz", min_size=1, max_size=5)
VALUE = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6)
                     | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=3),
                     max_leaves=6)
MEDIA_NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,20}\.(png|jpg|gif)", fullmatch=True)


@st.composite
def awkward_banks(draw) -> Bank:
    questions = []
    for qid in draw(st.lists(IDS, min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(["flashcard", "multiple_choice", "ordering", "short_answer"]))
        if kind == "flashcard":
            fields = {"front": draw(TEXT), "back": draw(TEXT)}
        elif kind == "multiple_choice":
            choices = draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))
            fields = {"prompt": draw(TEXT), "choices": choices, "answer": draw(st.sampled_from(choices))}
            if draw(st.booleans()):
                fields["feedback"] = {c: draw(TEXT) for c in choices}
        elif kind == "ordering":
            fields = {"prompt": draw(TEXT), "items": draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))}
        else:
            fields = {"prompt": draw(TEXT), "answers": draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))}
        extra = draw(st.dictionaries(KEY.filter(lambda k: k not in {
            "id", "type", "title", "explanation", "source", "evidence", "tags", "difficulty", "format", "prompt",
            "choices", "answer", "answers", "feedback", "items", "front", "back", "weights"}), VALUE, max_size=2))
        questions.append(Question(qid, kind, fields, explanation=draw(st.just("") | TEXT),
                                  evidence=draw(st.lists(TEXT, max_size=2)), tags=draw(st.lists(TEXT, max_size=3)),
                                  extra=extra))
    bank = Bank(draw(IDS), draw(TEXT), questions, description=draw(st.just("") | TEXT),
                tags=draw(st.lists(TEXT, max_size=3)),
                extra=draw(st.dictionaries(KEY.filter(lambda k: k not in {
                    "bank", "id", "title", "description", "tags", "sources", "questions"}), VALUE, max_size=2)))
    bank.media = draw(st.dictionaries(MEDIA_NAME, st.binary(max_size=64), max_size=3))
    return bank


ROUND_TRIPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIPS
@given(awkward_banks())
def test_native_to_yaml_to_native_keeps_awkward_text(bank):
    written = dump_yaml(bank)
    result = parse_native(written, "bank.yaml")
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank == bank
    assert yaml.safe_load(written) == to_data(bank)  # and a YAML 1.1 reader agrees


@ROUND_TRIPS
@given(awkward_banks())
def test_native_to_json_to_native_keeps_awkward_text(bank):
    result = parse_native(dump_json(bank), "bank.json")
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank == bank


@ROUND_TRIPS
@given(awkward_banks(), st.sampled_from(["yaml", "json"]))
def test_a_bank_with_images_round_trips_through_its_zip(bank, fmt):
    data = dump_archive(bank, fmt)
    assert formats.detect(data, "export.zip") == fmt
    result = formats.parse(data, "export.zip")
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank == bank and result.bank.media == bank.media
    if bank.media:  # the export the teacher downloads: a zip exactly when there are images
        exported, extension, media_type = formats.export(bank, fmt)
        assert (exported, extension, media_type) == (data, ".zip", "application/zip")


def test_a_bank_without_images_exports_as_plain_text():
    bank = Bank("demo", "Demo", [Question("q", "flashcard", {"front": "F", "back": "B"})])
    assert formats.export(bank, "yaml") == (dump_yaml(bank).encode(), ".yaml", "application/yaml")


# -- values no database stores: refused for every format (validate_bank) -------------------------

def test_a_lone_surrogate_in_json_is_refused_at_check_time_with_its_line():
    text = '{"bank": 1, "id": "demo", "title": "Demo", "questions": [\n {"id": "q", "type": "flashcard",\n' \
           '  "front": "\\udfff", "back": "B"}]}'
    [(line, question, field, message)] = errors(text, "bank.json")
    assert (line, question, field) == (3, "q", "front") and "lone surrogate (U+DFFF)" in message


def test_a_lone_surrogate_in_yaml_is_refused_with_its_line():
    [(line, _, _, message)] = errors(HEAD + '  - {id: q, type: flashcard, front: "\\uDFFF", back: B}\n')
    assert line == 5 and "escape" in message


@pytest.mark.parametrize(("value", "words"), [
    ('"a\\u0000b"', "NUL"), ('"\\ud800"', "lone surrogate (U+D800)"), ("1e999", "finite"), ("NaN", "finite"),
    ("-Infinity", "finite"),
])
def test_json_values_no_database_stores_are_refused(value, words):
    text = ('{"bank": 1, "id": "demo", "title": "Demo", "questions": [\n {"id": "q", "type": "flashcard",\n'
            f'  "front": "F", "back": "B", "x": {{"deep": [{value}]}}}}]}}')
    [(line, _, field, message)] = errors(text, "bank.json")
    assert (line, field) == (3, "x.deep[0]") and words in message


def test_nul_is_refused_in_keys_and_in_bank_fields():
    found = errors('{"bank": 1, "id": "demo", "title": "De\\u0000mo", "questions": [\n'
                   ' {"id": "q", "type": "flashcard", "front": "F", "back": "B", "k\\u0000": 1}]}', "bank.json")
    assert {(f, "NUL" in m) for _, _, f, m in found} == {("title", True), ("k\x00", True)}


@pytest.mark.parametrize(("data", "name"), [
    (b"::q1::Where did\x00 Mao go? {=Moscow ~Beijing}\n", "bank.gift"),
    (b"front\x00,back\nMao,Chairman\n", "cards.csv"),
])
def test_nul_is_refused_in_gift_and_csv_too(data, name):
    result = formats.parse(data, name)
    assert result.bank is None and any("NUL" in e.message for e in result.errors), [str(e) for e in result.errors]


def test_the_shared_validation_refuses_what_an_apkg_reader_could_hand_it():
    q = Question("q", "flashcard", {"front": "Mao\x00", "back": "\udfff"}, extra={"n": 10**400, "f": float("inf")})
    issues = {(i.field, i.message.split(" (")[0]) for i in validate_bank(Bank("demo", "Demo", [q]), "deck.apkg")}
    assert issues == {("front", "contains a NUL character"), ("back", "contains a lone surrogate"),
                      ("n", "is a number too large to use"), ("f", "must be a finite number")}


def test_names_longer_than_their_columns_are_refused():
    long = Bank("b" * 121, "T" * 201, [Question("q" * 121, "flashcard", {"front": "F", "back": "B"},
                                                tags=["t" * 121])], tags=["u" * 121])
    found = {(i.field, i.message) for i in validate_bank(long, "bank.yaml")}
    assert found == {("id", "is 121 characters long; at most 120 fit"),
                     ("title", "is 201 characters long; at most 200 fit"),
                     ("tags[0]", "is 121 characters long; at most 120 fit")} | {
        ("id", "is 121 characters long; at most 120 fit"), ("tags[0]", "is 121 characters long; at most 120 fit")}
    assert len(validate_bank(long, "bank.yaml")) == 5
    fits = Bank("b" * 120, "T" * 200, [Question("q" * 120, "flashcard", {"front": "F", "back": "B"},
                                                tags=["t" * 120])], tags=["u" * 120])
    assert validate_bank(fits, "bank.yaml") == []


def test_an_id_ending_in_a_newline_is_not_a_slug():
    assert any(i.field == "id" for i in validate_bank(Bank("demo\n", "Demo", []), "bank.yaml"))


# -- hostile files: refused with a line, in bounded time and memory --------------------------------

MB = 1024 * 1024


def measured(text: str, file: str):
    """(result, seconds, peak bytes allocated while reading)."""
    tracemalloc.start()
    started = time.process_time()
    try:
        result = parse_native(text, file)
    finally:
        seconds = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, seconds, peak


def _laughs(levels: int, width: int = 9) -> str:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * width)}]" for i in range(levels)]
    return "\n".join(rows) + f"\nbank: 1\nid: demo\ntitle: Demo\nquestions: *{chr(97 + levels)}\n"


def _merge_bomb(levels: int) -> str:
    rows = ["m0: &m0 {a0: 1, b0: 2, c0: 3, d0: 4}"]
    rows += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}, *m{i - 1}, *m{i - 1}], k{i}: {i}}}" for i in range(1, levels)]
    return "\n".join(rows) + f"\nbank: 1\nid: demo\ntitle: Demo\nquestions:\n  - {{<<: *m{levels - 1}, id: q}}\n"


def _big_scalar_aliases(count: int) -> str:
    return ("big: &big '" + "x" * 200_000 + "'\nbank: 1\nid: demo\ntitle: Demo\nquestions:\n"
            "  - {id: q, type: flashcard, front: F, back: B, x: [" + ", ".join(["*big"] * count) + "]}\n")


# The cap on memory while refusing a bomb: a few MB of YAML nodes and bookkeeping, far from the
# gigabytes the bombs expand to.
BOMB_PEAK = 40 * MB

BOMBS = {
    "billion laughs (9^9 strings)": (_laughs(8), 1, "alias bomb"),
    "wide laughs (50^5)": (_laughs(4, 50), 1, "alias bomb"),
    "merge-key bomb (4^20 keys)": (_merge_bomb(20), 1, "alias bomb"),
    "one big text aliased 5,000 times (1 GB)": (_big_scalar_aliases(5_000), 1, "alias bomb"),
    "deep YAML flow": (HEAD + "  - {id: q, x: " + "[" * 900 + "]" * 900 + "}\n", 5, "nest"),
    "deep YAML block": (HEAD + "".join("  " * i + "- \n" for i in range(200)) + "  " * 200 + "- x\n", 36, "nest"),
    "4,000-digit integer": (HEAD + "  - {id: q, type: numeric, prompt: P, answer: " + "9" * 4000 + "}\n", 5,
                            "number of 4,000 characters"),
    "5,000-digit float": (HEAD + "  - {id: q, x: 1." + "1" * 5000 + "}\n", 5, "number of 5,002 characters"),
}


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_hostile_yaml_is_refused_with_a_line_within_time_and_memory(case):
    text, line, words = BOMBS[case]
    result, seconds, peak = measured(text, "bomb.yaml")
    assert result.bank is None
    assert any(e.line == line and words in e.message for e in result.errors), [str(e) for e in result.errors]
    assert seconds < 5, seconds
    assert peak < BOMB_PEAK + 2 * len(text), f"{peak / MB:.1f} MB"


JSON_HEAD = '{"bank": 1, "id": "demo", "title": "Demo",\n "questions": [\n'
JSON_BOMBS = {
    "deep JSON (100,000 levels)": (JSON_HEAD + '  {"id": "q", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]}", 3,
                                   "nest"),
    "deep JSON (40 levels)": (JSON_HEAD + '  {"id": "q", "x": ' + "[" * 40 + "]" * 40 + "}]}", 3, "nest"),
    "4,000-digit JSON integer": (JSON_HEAD + '  {"id": "q", "answer": ' + "9" * 4000 + "}]}", 3,
                                 "number of 4,000 characters"),
    "5,000-digit JSON integer (past int()'s own limit)": (JSON_HEAD + '  {"id": "q", "answer": -' + "9" * 5000 + "}]}",
                                                          3, "number of 5,001 characters"),
}


@pytest.mark.parametrize("case", sorted(JSON_BOMBS))
def test_hostile_json_is_refused_with_a_line_within_time_and_memory(case):
    text, line, words = JSON_BOMBS[case]
    result, seconds, peak = measured(text, "bomb.json")
    assert result.bank is None
    assert any(e.line == line and words in e.message for e in result.errors), [str(e) for e in result.errors]
    assert seconds < 5 and peak < BOMB_PEAK + 4 * len(text), (seconds, peak)
    # And detection, as an upload with format "auto" does it, calls it JSON.
    assert formats.detect(text.encode(), "upload.txt") == "json"


def test_an_honest_bank_with_anchors_is_within_the_limits():
    text = ("common: &common {type: flashcard, back: Chairman}\n" + HEAD
            + "".join(f"  - {{<<: *common, id: q{i}, front: 'Question {i}'}}\n" for i in range(2000)))
    result = parse_native(text)
    assert result.ok and len(result.bank.questions) == 2000


def test_a_bank_nested_to_the_limit_reads_and_one_past_it_does_not():
    """32 lists and mappings inside each other (the bank, its questions, a question, 29 lists) read;
    33 do not, in YAML as in JSON."""
    def nested(levels: int) -> str:
        return f"{HEAD}  - {{id: q, type: flashcard, front: F, back: B, x: {'[' * levels}{']' * levels}}}\n"

    def nested_json(levels: int) -> str:
        return ('{"bank": 1, "id": "demo", "title": "Demo", "questions": [{"id": "q", "type": "flashcard", '
                f'"front": "F", "back": "B", "x": {"[" * levels}{"]" * levels}}}]}}')

    assert parse_native(nested(29)).ok and parse_native(nested_json(29), "b.json").ok
    assert "nest" in errors(nested(30))[0][3] and "nest" in errors(nested_json(30), "b.json")[0][3]


# -- fuzz: the importer within its limits ----------------------------------------------------------

PIECES = st.sampled_from([
    "bank: 1\n", "id: demo\n", "title: T\n", "questions:\n", "  - ", "{id: q, type: flashcard, front: F, back: B}\n",
    "&a ", "*a", "[*a, *a, *a, *a]", "<<: *a\n", "{<<: [*a, *a]}", "!!timestamp ", "!!binary ", "[", "]", "{", "}",
    "9" * 150, "1e999", '"\\0"', '"\\uDFFF"', "on", "1:20", ": ", ", ", "\n", "  ", "- ", "? ", "'", '"', "#",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=40).map("".join))
def test_fuzzed_yaml_gives_a_result_with_lines_never_an_exception(text):
    result, seconds, peak = measured(text, "fuzz.yaml")
    assert result.ok or result.errors
    for e in result.errors:
        assert e.file == "fuzz.yaml" and e.message and (e.line is None or e.line >= 1)
    assert seconds < 2 and peak < BOMB_PEAK


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=20),
       st.integers(0, 60))
def test_fuzzed_json_values_and_nesting_give_errors_never_exceptions(value, depth):
    data = {"bank": 1, "id": "demo", "title": "Demo",
            "questions": [{"id": "q", "type": "flashcard", "front": "F", "back": "B",
                           "x": json.loads("[" * depth + json.dumps(value) + "]" * depth)}]}
    result = parse_native(json.dumps(data, indent=1), "fuzz.json")
    assert result.ok or all(e.message for e in result.errors)
    if depth + 3 > 32:  # the bank, its questions, the question, then ``depth`` lists
        assert not result.ok and "nest" in result.errors[0].message


def test_zip_limits_apply_to_a_bank_archive():
    from quizapp.banks.limits import Limits

    bank = Bank("demo", "Demo", [Question("q", "flashcard", {"front": "F", "back": "B"})],)
    bank.media = {f"i{n}.png": b"x" * 100 for n in range(5)}
    data = dump_archive(bank, "yaml")
    assert parse_archive(data, "demo.zip").ok
    for limits, words in ((Limits(max_zip_entries=4), "entries"), (Limits(max_media_files=3), "images"),
                          (Limits(max_media_bytes=50), "limit"), (Limits(max_media_total=250), "limit"),
                          (Limits(max_upload_bytes=len(data) - 1), "limit")):
        result = parse_archive(data, "demo.zip", limits)
        assert result.bank is None and words in result.errors[0].message, (limits, result.errors)
        assert result.errors[0].file == "demo.zip"


def test_a_zip_inside_the_bank_zip_is_not_read_as_a_bank():
    import io
    import zipfile

    inner = dump_archive(Bank("demo", "Demo", [Question("q", "flashcard", {"front": "F", "back": "B"})]), "yaml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("demo.yaml", inner)
    result = parse_archive(out.getvalue(), "demo.zip")
    assert result.bank is None and "not YAML or JSON text" in result.errors[0].message
