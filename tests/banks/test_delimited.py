"""CSV/TSV cards: Anki's text-file headers, Quizlet exports, quoting, separator detection, errors
with the line they are on, and dump_csv read back by this reader and by Anki itself."""
from __future__ import annotations

import csv
import io
import os
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.banks.delimited import (
    deck_tags,
    decks_title,
    detect_separator,
    dump_csv,
    dump_tsv,
    guid_question_id,
    parse_delimited,
    text_question_id,
)
from quizapp.banks.limits import Limits
from quizapp.banks.model import Bank, Question
from quizapp.banks.sanitize import clean_html


def cards(text: str | bytes, **options) -> list[Question]:
    result = parse_delimited(text, "cards.txt", **options)
    assert result.errors == [], [str(e) for e in result.errors]
    return result.bank.questions


def sides(questions: list[Question]) -> list[tuple]:
    return [(q.type, *q.fields.values()) for q in questions]


def errors(text: str | bytes, **options) -> list[tuple[int | None, str]]:
    result = parse_delimited(text, "cards.txt", **options)
    assert result.bank is None
    return [(e.line, e.message) for e in result.errors]


# -- Anki's header lines -----------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "sep"), [
    ("Comma", ","), ("Semicolon", ";"), ("Tab", "\t"), ("tab", "\t"), ("Space", " "), ("Pipe", "|"),
    ("Colon", ":"), ("~", "~"),
])
def test_declared_separators(declared, sep):
    qs = cards(f"#separator:{declared}\nalpha{sep}beta\ngamma{sep}delta\n")
    assert sides(qs) == [("flashcard", "alpha", "beta"), ("flashcard", "gamma", "delta")]


def test_a_declared_separator_wins_over_detection():
    assert sides(cards("#separator:Semicolon\na,b;c\nd,e;f\n"))[0] == ("flashcard", "a,b", "c")


def test_a_literal_tab_separator_is_not_trimmed_away():
    assert sides(cards("#separator:\t\na b\tc d\n")) == [("flashcard", "a b", "c d")]


def test_anki_headers_set_html_tags_deck_and_columns():
    text = ("#separator:Semicolon\n#html:true\n#tags:geo europe\n#deck:Capitals of Europe\n"
            "#columns:Back;Front;Tags\n"
            "Paris;<b>France</b> <script>alert(1)</script>;capital\n"
            "Berlin;Germany;\n")
    result = parse_delimited(text, "capitals.csv")
    assert result.errors == []
    bank = result.bank
    assert (bank.id, bank.title) == ("capitals-of-europe", "Capitals of Europe")
    france, germany = bank.questions
    assert france.fields == {"front": "<b>France</b> ", "back": "Paris"}  # columns named, script removed
    assert france.format == "html" and france.tags == ["geo", "europe", "capital"]
    assert germany.tags == ["geo", "europe"]
    assert france.line == 6 and germany.line == 7


def test_html_false_keeps_markup_as_plain_text():
    q, = cards("#html:false\n<b>x</b>\ty < z\n")
    assert (q.fields, q.format) == ({"front": "<b>x</b>", "back": "y < z"}, "plain")


def test_html_is_detected_when_not_declared():
    assert cards("a<br>b\tc\n")[0].format == "html"
    assert cards("x < y\tz\n")[0].format == "plain"


def test_notetypes_basic_reversed_and_cloze():
    text = ("#notetype:Basic (and reversed card)\n#separator:Tab\nchien\tdog\n")
    assert sides(cards(text)) == [("flashcard", "chien", "dog"), ("flashcard", "dog", "chien")]
    assert [q.id for q in cards(text)] == ["chien", "chien-reverse"]
    text = "#notetype:Cloze\n{{c1::Paris}} is the capital of {{c2::France}}\tsince 987\n"
    assert sides(cards(text)) == [("cloze", "{{c1::Paris}} is the capital of {{c2::France}}", "since 987")]


def test_a_first_field_with_a_deletion_makes_a_cloze_without_a_notetype():
    assert sides(cards("{{c1::Mao}} met Stalin in {{c2::1949}}\n")) == [
        ("cloze", "{{c1::Mao}} met Stalin in {{c2::1949}}")]
    assert cards("{{c1::Mao}} met Stalin\n")[0].id == "mao-met-stalin"


def test_column_pointers():
    text = ("#separator:Pipe\n#notetype column:1\n#deck column:2\n#tags column:6\n#guid column:3\n"
            "Basic|History::China|AbC/1|Who led the PRC in 1949?|Mao|leaders people|stray\n"
            "Cloze|History::Russia|x;y|{{c1::Stalin}} died in 1953||\n"
            "Basic (and reversed card)|History|z|war|guerre|\n")
    result = parse_delimited(text, "history.txt")
    assert result.errors == []
    bank = result.bank
    assert bank.title == "History"  # the deck the rows' decks share
    mao, stalin, war, war_reverse = bank.questions
    assert (mao.id, mao.type, mao.fields) == ("AbC-1", "flashcard", {"front": "Who led the PRC in 1949?",
                                                                      "back": "Mao"})
    assert mao.tags == ["leaders", "people", "history", "history-china"]
    assert (stalin.id, stalin.type) == ("x-y", "cloze")
    assert stalin.tags == ["history", "history-russia"]
    assert (war.id, war_reverse.id) == ("z", "z-reverse")
    assert war.tags == war_reverse.tags == ["history"]
    assert [n.message for n in result.notices] == ["column 7 is not imported (it has text in 1 row)"]
    assert result.notices[0].line == 6 and result.notices[0].level == "skipped"


def test_columns_named_tags_deck_and_guid_act_as_pointers():
    text = "#columns:GUID,Front,Back,Tags\nq1,one,un,numbers\n"
    q, = cards(text)
    assert (q.id, q.fields, q.tags) == ("q1", {"front": "one", "back": "un"}, ["numbers"])


def test_an_anki_text_export_reads_into_a_bank(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    col = anki_collection.Collection(str(tmp_path / "c.anki2"))
    try:
        deck = col.decks.id("Languages::French")
        note = col.new_note(col.models.by_name("Basic (and reversed card)"))
        note["Front"], note["Back"] = "dog", 'chien, "le" chien\nnoir'
        note.tags = ["animals"]
        col.add_note(note, deck)
        cloze = col.new_note(col.models.by_name("Cloze"))
        cloze["Text"], cloze["Back Extra"] = "Le {{c1::chat}} dort", "<i>cat</i>"
        col.add_note(cloze, deck)
        out = tmp_path / "notes.txt"
        col.export_note_csv(out_path=str(out), limit=None, with_html=True, with_tags=True, with_deck=True,
                            with_notetype=True, with_guid=True)
        guids = [note.guid, cloze.guid]
    finally:
        col.close()
    result = parse_delimited(out.read_bytes(), "notes.txt")
    assert result.errors == [] and result.notices == []
    dog, dog_reverse, chat = result.bank.questions
    assert result.bank.title == "Languages::French"
    assert dog.id == guid_question_id(guids[0]) and dog_reverse.id == dog.id + "-reverse"
    assert dog.fields["front"] == "dog" and dog.fields["back"].startswith('chien, "le" chien')
    assert dog.tags == ["animals"]
    assert (chat.id, chat.type, chat.fields) == (guid_question_id(guids[1]), "cloze",
                                                 {"text": "Le {{c1::chat}} dort", "extra": "<i>cat</i>"})


# -- quoting, comments, blank lines -----------------------------------------------------------------

def test_quoted_fields_with_newlines_separators_and_doubled_quotes():
    text = ('# a comment line\n'
            'front,back\n'
            '"a, b",simple\n'
            '\n'
            '"say ""hi""","two\nlines\n# not a comment"\n'
            '# another comment\n'
            'last, "one, quoted after a space"\n')
    result = parse_delimited(text, "cards.txt")
    assert result.errors == []
    qs = result.bank.questions
    assert sides(qs) == [("flashcard", "a, b", "simple"), ("flashcard", 'say "hi"', "two\nlines\n# not a comment"),
                         ("flashcard", "last", "one, quoted after a space")]
    assert [q.line for q in qs] == [3, 5, 9]
    # The first row names the columns; the comment in the body is not dropped without a word.
    assert [(n.line, n.message) for n in result.notices] == [
        (2, "read as the names of the columns (front, back), not as a card"),
        (8, "not imported: 1 line starting with '#', read as comments as Anki does")]


def test_windows_line_endings_and_a_byte_order_mark():
    qs = cards("\ufeffone\tuno\r\n\"two\r\nlines\"\tdos\r\n".encode())
    assert sides(qs) == [("flashcard", "one", "uno"), ("flashcard", "two\nlines", "dos")]


def test_utf16_from_excel():
    assert sides(cards("un\tone\ndeux\ttwo\n".encode("utf-16"))) == [("flashcard", "un", "one"),
                                                                    ("flashcard", "deux", "two")]


# -- Quizlet ----------------------------------------------------------------------------------------

def test_quizlet_tab_export():
    qs = cards("photosynthesis\thow plants make sugar from light\nmitosis\tcell division\n")
    assert sides(qs) == [("flashcard", "photosynthesis", "how plants make sugar from light"),
                         ("flashcard", "mitosis", "cell division")]
    assert [q.id for q in qs] == ["photosynthesis", "mitosis"]


def test_quizlet_comma_export():
    assert sides(cards("der Hund,the dog\ndie Katze,the cat\n")) == [("flashcard", "der Hund", "the dog"),
                                                                     ("flashcard", "die Katze", "the cat")]


def test_quizlet_custom_separators():
    qs = cards("un - one;deux - two;\ntrois - three", separator=" - ", card_separator=";")
    assert sides(qs) == [("flashcard", "un", "one"), ("flashcard", "deux", "two"), ("flashcard", "trois", "three")]
    assert [q.line for q in qs] == [1, 1, 2]


def test_a_column_beyond_front_and_back_is_left_out_with_a_notice():
    result = parse_delimited("a\tb\tc\nd\te\t\n", "anki.txt")
    assert sides(result.bank.questions) == [("flashcard", "a", "b"), ("flashcard", "d", "e")]
    assert [(n.line, n.message) for n in result.notices] == [(1, "column 3 is not imported (it has text in 1 row)")]


@pytest.mark.parametrize(("lines", "sep"), [
    (["a\tb, c", "d\te; f"], "\t"),
    (["a,b", "c,d", "e;f,g"], ","),
    (["a;b", "c;d,e", "f;g"], ";"),
    (["a|b", "c|d"], "|"),
    (['"x, y";z', '"p, q";r'], ";"),
    (["no separator here"], None),
])
def test_separator_detection(lines, sep):
    assert detect_separator(lines) == sep


# -- errors -----------------------------------------------------------------------------------------

def test_all_errors_are_reported_at_once_with_their_lines():
    text = ("#separator:Comma\n"
            "#tags column:x\n"
            "# a comment\n"
            "dog,chien\n"
            "cat\n"
            '"multi\nline",ok\n'
            "bird,\n"
            ",lonely back\n"
            '"never closed,oops\n'
            "fish,poisson\n")
    assert errors(text) == [
        (2, "bad column pointer 'x': must be a column number from 1"),
        (5, "the row has no back: found one field where two were expected (fields are separated by comma)"),
        (8, "the back is empty"),
        (9, "the front is empty"),
        (10, "a quoted field opened on this line is never closed (a missing '\"')"),
    ]


@pytest.mark.parametrize("pointer", ["0", "-1", "²", "1.5", ""])
def test_bad_column_pointers(pointer):
    assert errors(f"#tags column:{pointer}\na\tb\n") == [
        (1, f"bad column pointer {pointer!r}: must be a column number from 1")]


def test_header_errors():
    text = "#separator:Dash\n#html:yes\n#columns:Front\tBack\n#guid column:4\na\tb\n"
    assert errors(text) == [
        (1, "unknown separator 'Dash'; use Comma, Semicolon, Tab, Space, Pipe, Colon or a single character"),
        (2, "must be true or false, not 'yes'"),
        (4, "bad column pointer: column 4 does not exist (#columns names 2)"),
    ]


def test_question_errors_carry_the_row_line():
    result = parse_delimited("#notetype:Cloze\n\nno deletion here\n", "c.txt")
    assert [(e.line, e.field, e.message) for e in result.errors] == [
        (3, "text", "has no deletion such as {{c1::answer}}")]


def test_text_that_is_not_utf8():
    assert errors(b"caf\xe9\tcoffee\n".replace(b"caf", b"ok\tfine\ncaf")) == [
        (2, "is not UTF-8 text (byte 0xe9); save the file as UTF-8 and upload it again")]


def test_an_oversized_file():
    assert errors("a\tb\n" * 100, limits=Limits(max_upload_bytes=50)) == [
        (None, "the file is 400 bytes (limit 50 bytes)")]


def test_an_empty_file_gives_an_empty_bank():
    result = parse_delimited("", "empty.csv")
    assert result.ok and result.bank.questions == [] and result.bank.title == "empty"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    result = parse_delimited(data)
    assert (result.bank is None) == bool(result.errors)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list('ab"#,;\t|\n\r:{}c1 ') + ["#separator:", "#columns:", "{{c1::", "#html:",
                                                                "#tags column:", "#notetype:Cloze\n"]),
                max_size=40).map("".join))
def test_arbitrary_csv_like_text_never_raises(text):
    result = parse_delimited(text)
    assert (result.bank is None) == bool(result.errors)


# -- helpers shared with the .apkg reader -----------------------------------------------------

def test_deck_paths_to_tags_and_titles():
    assert deck_tags("Parent::Child") == ["parent", "parent-child"]
    assert deck_tags("Langues::Français 1") == ["langues", "langues-français-1"]
    assert decks_title(["A::B::C", "A::B::D", "A::B"]) == "A::B"
    assert decks_title(["A", "B"]) is None
    assert decks_title(["Only::One"]) == "Only::One"


def test_question_ids_from_guids_and_texts():
    assert guid_question_id("quizapp:bank-1/q-7") == "q-7"
    assert guid_question_id("M<(gzgc;0%") == "M-gzgc-0"
    assert guid_question_id("!!!").startswith("note-")
    assert text_question_id("What is the <b>capital</b> of France?") == "what-is-the-capital-of-france"
    assert text_question_id("日本の首都は?").startswith("card-")


# -- writing ----------------------------------------------------------------------------------------

def sample_bank() -> Bank:
    return Bank("capitals", "European capitals", [
        Question("france", "flashcard", {"front": "France", "back": "Paris\n(since 987)"},
                 explanation='Not "Lyon".', tags=["europe", "west"]),
        Question("italy", "flashcard", {"front": "Italy", "back": "Rome"}),
        Question("italy-reverse", "flashcard", {"front": "Rome", "back": "Italy"}),
        Question("capital-of", "cloze", {"text": "{{c1::Berlin}} is the capital of {{c2::Germany::country}}"}),
        Question("largest", "multiple_choice", {"prompt": "Largest city?", "choices": ["London", "Paris"],
                                                "answer": "London"}),
        Question("order", "ordering", {"prompt": "North to south", "items": ["Oslo", "Berlin", "Rome"]}),
    ])


def test_dump_csv_writes_anki_headers_and_the_type_columns():
    text = dump_csv(sample_bank())
    assert text.splitlines()[:7] == ["#separator:Comma", "#html:false", "#deck:European capitals",
                                     "#guid column:1", "#notetype column:2", "#tags column:6",
                                     "#columns:GUID,Notetype,Front,Back,Explanation,Tags,Type,Data"]
    assert 'quizapp:capitals/france,Basic,France,"Paris\n(since 987)","Not ""Lyon"".",europe west,flashcard,\n' in text
    assert "quizapp:capitals/italy,Basic (and reversed card),Italy,Rome,,,flashcard,\n" in text
    assert "italy-reverse" not in text
    assert ('quizapp:capitals/largest,Basic,"Largest city?\n- London\n- Paris",London,,,multiple_choice,'
            '"{""prompt"":""Largest city?"",""choices"":[""London"",""Paris""],""answer"":""London""}"\n') in text
    tsv = dump_tsv(sample_bank())
    assert tsv.startswith("#separator:Tab\n")
    assert "#columns:GUID\tNotetype\tFront\tBack\tExplanation\tTags\tType\tData\n" in tsv


def test_dump_csv_reads_back_to_the_same_bank_types_included():
    bank = sample_bank()
    for dump in (dump_csv, dump_tsv):
        result = parse_delimited(dump(bank), "capitals.txt")
        assert result.errors == [] and result.notices == []
        assert result.bank == bank
        assert [q.type for q in result.bank.questions][4:] == ["multiple_choice", "ordering"]


def test_dump_csv_with_html_shows_anki_escaped_text_and_keeps_each_format():
    bank = Bank("b", "B", [Question("a", "flashcard", {"front": "x < y", "back": "<b>z</b>"}, format="html"),
                           Question("p", "flashcard", {"front": "1 < 2", "back": "a\nb"})])
    text = dump_csv(bank)
    assert "#html:true" in text
    assert "quizapp:b/p,Basic,1 &lt; 2,a<br>b," in text  # what Anki shows
    assert "quizapp:b/a,Basic,x &lt; y,<b>z</b>," in text  # Anki gets valid HTML
    assert parse_delimited(text).bank == bank  # each question as it was, from its Data cell


def test_anki_imports_what_dump_csv_writes(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    path = tmp_path / "capitals.txt"
    path.write_text(dump_csv(sample_bank()), encoding="utf-8")
    col = anki_collection.Collection(str(tmp_path / "c.anki2"))
    try:
        metadata = col.get_csv_metadata(str(path), None)
        col.import_csv(anki_collection.ImportCsvRequest(path=str(path), metadata=metadata))
        notes = {n.guid: n for n in (col.get_note(i) for i in col.find_notes(""))}
        france = notes["quizapp:capitals/france"]
        assert (france.note_type()["name"], france["Front"], france["Back"]) == ("Basic", "France",
                                                                                 "Paris<br>(since 987)")
        assert sorted(france.tags) == ["europe", "west"]
        italy = notes["quizapp:capitals/italy"]
        assert italy.note_type()["name"] == "Basic (and reversed card)" and len(italy.cards()) == 2
        cloze = notes["quizapp:capitals/capital-of"]
        assert cloze.note_type()["name"] == "Cloze" and len(cloze.cards()) == 2
        assert {col.decks.name(c.did) for n in notes.values() for c in n.cards()} == {"European capitals"}
    finally:
        col.close()


PLAIN = st.text(st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="\r\x85\u2028\u2029")
                | st.sampled_from(["\n", "\t", '"', "#"]), min_size=1, max_size=30).map(str.strip).filter(
    lambda t: t and "{{" not in t and "}}" not in t)
SAFE = st.text(string.ascii_letters + string.digits + " .,;!?'()-", min_size=1, max_size=20).map(str.strip) \
    .filter(bool)
HTML = st.one_of(SAFE, SAFE.map(lambda t: f"<b>{t}</b>"), st.tuples(SAFE, SAFE).map("<br>".join)).filter(
    lambda t: clean_html(t) == t)
TAGS = st.lists(st.from_regex(r"[a-z][a-z0-9_:-]{0,10}", fullmatch=True), unique=True, max_size=3)


@st.composite
def cloze_texts(draw, words) -> str:
    parts = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        parts.append(draw(words))
        hint = draw(st.none() | SAFE)
        parts.append(f"{{{{c{n}::{draw(SAFE)}{'::' + hint if hint else ''}}}}}")
    return " ".join(parts + [draw(words)])


@st.composite
def delimited_banks(draw) -> Bank:
    fmt = draw(st.sampled_from(["plain", "html"]))
    words = PLAIN if fmt == "plain" else HTML
    ids = draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True), min_size=1, max_size=6,
                        unique=True))
    questions = []
    for qid in ids:
        if draw(st.booleans()):
            qtype, fields = "flashcard", {"front": draw(words), "back": draw(words)}
        else:
            qtype, fields = "cloze", {"text": draw(cloze_texts(words))}
            if draw(st.booleans()):
                fields["extra"] = draw(words)
        questions.append(Question(qid, qtype, fields, explanation=draw(st.just("") | words), tags=draw(TAGS),
                                  format=fmt))
    title = draw(SAFE)
    return Bank(draw(st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)), title, questions)


@settings(max_examples=60, deadline=None)
@given(delimited_banks())
def test_dump_csv_round_trip(bank):
    result = parse_delimited(dump_csv(bank), "bank.txt")
    assert result.errors == [] and result.notices == []
    assert result.bank == bank


def shared_dir() -> Path:
    return Path(os.environ.get("QUIZAPP_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")


def test_the_headers_in_the_shared_interchange_notes_read_as_documented():
    doc = shared_dir() / "docs" / "interchange-formats.md"
    if not doc.exists():
        pytest.skip("../shared is not present")
    anki = doc.read_text(encoding="utf-8").split("## Anki")[1].split("\n## ")[0]
    headers = [h for h in re.findall(r"`(#[a-z ]+:[^`]*)`", anki) if not h.endswith(":")]
    assert {h.split(":")[0] for h in headers} >= {"#separator", "#html", "#tags", "#columns", "#deck",
                                                   "#notetype", "#tags column"}
    result = parse_delimited("\n".join(headers) + "\nfront\t<i>back</i>\tx y\n", "doc.txt")
    assert result.errors == [] and result.notices == []
    q, = result.bank.questions
    assert result.bank.title == "Name"
    assert (q.type, q.fields, q.format) == ("flashcard", {"front": "front", "back": "<i>back</i>"}, "html")
    assert q.tags == ["a", "b", "x", "y"]


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-5 °C at night", "@SUM(A1:A9)",
            "=1+1", "'=already quoted", "''+two quotes", "'plain quote", "it's = fine"]


def _cells(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]


def test_dump_csv_guards_every_cell_a_spreadsheet_would_run_as_a_formula():
    bank = Bank("f", "=Formulas", [Question(f"q{i}", "flashcard", {"front": text, "back": text},
                                            explanation=text, tags=["-tag"] if i == 0 else [])
                                   for i, text in enumerate(FORMULAS)])
    text = dump_csv(bank)
    cells = [cell for row in _cells(text) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert ",\"'=HYPERLINK(\"\"http" in text and ",'-5 °C at night," in text and ",'@SUM(A1:A9)," in text
    assert ",''=already quoted," in text and ",'''+two quotes," in text  # one more quote, taken off again
    assert ",'plain quote," in text and ",it's = fine," in text  # nothing to guard
    assert "\t'-5 °C at night\t" in dump_tsv(bank)


def test_dump_csv_formula_guard_reads_back_to_the_same_text():
    bank = Bank("f", "Formulas", [Question(f"q{i}", "flashcard", {"front": text, "back": text}, explanation=text)
                                  for i, text in enumerate(FORMULAS)])
    for dump in (dump_csv, dump_tsv):
        back = parse_delimited(dump(bank), "f.txt").bank
        assert [(q.fields["front"], q.fields["back"], q.explanation) for q in back.questions] == [
            (t, t, t) for t in FORMULAS]


def test_a_leading_quote_is_taken_off_only_in_rows_this_app_wrote():
    # Someone else's file: "'+' operator" is text, the quote is part of it.
    assert sides(cards("'+' operator\taddition\n'=1+1\t'-2\n")) == [
        ("flashcard", "'+' operator", "addition"), ("flashcard", "'=1+1", "'-2")]
    # A row of this app's export (its GUID says so): the guard it added comes off.
    text = "#guid column:1\nquizapp:b/q1\t'=1+1\t'-2\nother\t'=1+1\t'-2\n"
    assert sides(cards(text)) == [("flashcard", "=1+1", "-2"), ("flashcard", "'=1+1", "'-2")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("='+-@\t\rab #\""), max_size=8))
def test_the_formula_guard_round_trips_any_text(text):
    from quizapp.banks.delimited import guard_formula, unguard_formula

    guarded = guard_formula(text)
    assert unguard_formula(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


# -- image occlusion and sounds, as the .apkg reader leaves them out -----------------------------

def test_image_occlusion_rows_and_sounds_of_an_anki_text_export_are_left_out_with_a_notice(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    col = anki_collection.Collection(str(tmp_path / "c.anki2"))
    try:
        deck = col.decks.id("Anatomy")
        occlusion = col.new_note(col.models.by_name("Image Occlusion"))
        occlusion["Occlusion"] = "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4:oi=1}}"
        occlusion["Image"], occlusion["Header"] = '<img src="brain.png">', "Brain"
        col.add_note(occlusion, deck)
        spoken = col.new_note(col.models.by_name("Basic"))
        spoken["Front"], spoken["Back"] = "hello [sound:hello.mp3]", "bonjour"
        col.add_note(spoken, deck)
        with_type, without = tmp_path / "typed.txt", tmp_path / "plain.txt"
        col.export_note_csv(out_path=str(with_type), limit=None, with_html=True, with_tags=True, with_deck=True,
                            with_notetype=True, with_guid=True)
        col.export_note_csv(out_path=str(without), limit=None, with_html=True, with_tags=False, with_deck=False,
                            with_notetype=False, with_guid=False)
    finally:
        col.close()
    for path in (with_type, without):
        result = parse_delimited(path.read_bytes(), path.name)
        assert result.errors == [], [str(e) for e in result.errors]
        assert sides(result.bank.questions) == [("flashcard", "hello", "bonjour")]
        assert sorted(n.message for n in result.notices) == [
            "not imported: image occlusion notes (1 row)",
            "not imported: sounds ([sound:...] tags, removed from the text) (1 row)"]
        assert {n.level for n in result.notices} == {"skipped"}


def test_a_notice_names_the_first_of_many_occlusion_rows():
    text = "#notetype column:1\n" + "Image Occlusion\t{{c1::image-occlusion:rect:left=.1}}\t\n" * 3 + "Basic\ta\tb\n"
    result = parse_delimited(text, "io.txt")
    assert [(n.line, n.message) for n in result.notices] == [
        (2, "not imported: image occlusion notes (3 rows, the first on this line)")]
    assert sides(result.bank.questions) == [("flashcard", "a", "b")]
