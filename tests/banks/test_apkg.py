"""Anki packages: real ones made by Anki itself (legacy and current layouts) read into banks, banks
written for Anki and read back by Anki, and hostile packages refused with clear errors.

Nested clozes, review history, math, round trips and bombs have files of their own
(tests/banks/test_anki_*.py)."""
from __future__ import annotations

import io
import json
import sqlite3
import string
import zipfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizapp.banks.anki_notes import guid_question_id
from quizapp.banks.apkg import dump_apkg, parse_apkg, proto_fields, stable_id
from quizapp.banks.limits import MB, Limits
from quizapp.banks.model import Bank, Question
from quizapp.banks.sanitize import clean_html
from tests.banks.anki_support import (
    PNG,
    Collection,
    add_note,
    anki_collection,
    anki_notes,
    export,
    import_into_anki,
    pb,
    repack,
    zipfile_bytes,
)

# -- packages made by Anki ---------------------------------------------------------------------


class AnkiPackages:
    """Packages Anki exported from one collection, and the guids of the notes in it."""

    def __init__(self, root: Path) -> None:
        self.guids: dict[str, str] = {}
        self.note_ids: dict[str, int] = {}
        col = Collection(str(root / "collection.anki2"))
        try:
            geography = col.decks.id("Geography")
            europe = col.decks.id("Geography::Europe")
            deck = col.decks.get(geography)
            deck["desc"] = "Places and <b>names</b>"
            col.decks.save(deck)
            image = root / "map of france.png"
            image.write_bytes(PNG)
            self.image = col.media.add_file(str(image))
            (root / "unused.png").write_bytes(b"unused")
            col.media.add_file(str(root / "unused.png"))
            vocab = col.models.copy(col.models.by_name("Basic"), add=False)
            vocab["name"] = "Vocab"
            for name in ("Explanation", "Notes"):
                col.models.add_field(vocab, col.models.new_field(name))
            col.models.add_dict(vocab)

            def add(key: str, notetype: str, deck: str, tags: list[str], **fields: str) -> None:
                note = add_note(col, notetype, deck, tags, **fields)
                self.guids[key], self.note_ids[key] = note.guid, note.id

            add("capital", "Basic", "Geography::Europe", ["capitals"], Front="Capital of France?",
                Back=f'Paris <img src="{self.image}">')
            add("river", "Basic (and reversed card)", "Geography", [], Front="river", Back="fleuve")
            add("crowned", "Cloze", "Geography::Europe", ["history", "franks"],
                Text="{{c1::Charlemagne}} was crowned in {{c2::800::year}}", Back_Extra="by the pope")
            add("mountain", "Basic (optional reversed card)", "Geography", [], Front="mountain", Back="montagne")
            add("lake", "Basic (optional reversed card)", "Geography", [], Front="lake", Back="lac",
                Add_Reverse="yes")
            add("sea", "Basic (type in the answer)", "Geography", [], Front="sea", Back="mer")
            add("unsafe", "Basic", "Geography", [], Front="<b>bold</b><script>alert(1)</script>",
                Back='<a href="javascript:alert(1)" onclick="x()">click</a> ok')
            add("word", "Vocab", "Geography", [], Front="bay", Back="baie", Explanation="From Old French.",
                Notes="a note the bank has no place for")
            add("empty", "Basic", "Geography", [], Front="no back")
            add("sound", "Basic", "Geography", [], Front="chien [sound:chien.mp3]", Back="dog")
            self.legacy = export(col, root / "legacy.apkg", legacy=True)
            self.current = export(col, root / "current.apkg", legacy=False)
            self.europe = export(col, root / "europe.apkg", limit=anki_collection.DeckIdLimit(deck_id=europe))
            assert geography
        finally:
            col.close()

    def id(self, key: str) -> str:
        return guid_question_id(self.guids[key])

    def anki(self, key: str) -> dict:
        """The ``anki`` entry a question read from this note carries: its note's guid and id."""
        return {"anki": {"guid": self.guids[key], "note": self.note_ids[key]}}


@pytest.fixture(scope="module")
def anki(tmp_path_factory) -> AnkiPackages:
    return AnkiPackages(tmp_path_factory.mktemp("anki"))


def by_id(bank: Bank) -> dict[str, Question]:
    return {q.id: q for q in bank.questions}


def test_anki_writes_the_layouts_this_reader_expects(anki):
    assert {"collection.anki21", "media", "0"} <= set(zipfile.ZipFile(io.BytesIO(anki.legacy)).namelist())
    current = zipfile.ZipFile(io.BytesIO(anki.current)).namelist()
    assert {"collection.anki21b", "collection.anki2", "meta", "media"} <= set(current)


@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_a_package_from_anki_reads_into_a_bank(anki, layout):
    result = parse_apkg(getattr(anki, layout), f"{layout}.apkg")
    assert result.errors == []
    bank = result.bank
    assert (bank.id, bank.title, bank.description) == ("geography", "Geography", "Places and names")
    qs = by_id(bank)

    capital = qs[anki.id("capital")]
    assert capital.type == "flashcard" and capital.format == "html"
    assert capital.fields == {"front": "Capital of France?", "back": f'Paris <img src="{anki.image}">'}
    assert capital.tags == ["capitals", "geography", "geography-europe"]
    assert capital.extra == anki.anki("capital")  # the note's guid and id, for the way back to Anki

    crowned = qs[anki.id("crowned")]
    assert crowned.type == "cloze"
    assert crowned.fields == {"text": "{{c1::Charlemagne}} was crowned in {{c2::800::year}}",
                              "extra": "by the pope"}
    assert crowned.tags == ["franks", "history", "geography", "geography-europe"]

    # optional reverse only where the note asks for it; typing the answer is not a reverse
    assert qs[anki.id("mountain")].fields == {"front": "mountain", "back": "montagne"}
    assert qs[anki.id("sea")].fields == {"front": "sea", "back": "mer"}

    unsafe = qs[anki.id("unsafe")]
    assert "script" not in unsafe.fields["front"] and "<b>bold</b>" in unsafe.fields["front"]
    assert "javascript" not in unsafe.fields["back"] and "onclick" not in unsafe.fields["back"]

    word = qs[anki.id("word")]
    assert (word.fields, word.explanation) == ({"front": "bay", "back": "baie"}, "From Old French.")
    assert anki.id("empty") not in qs
    assert qs[anki.id("sound")].fields == {"front": "chien", "back": "dog"}
    assert len(bank.questions) == 9

    assert bank.media == {anki.image: PNG}  # the unused image is left behind
    notices = {n.question: n.message for n in result.notices}
    assert notices[anki.id("word")] == ("the text of field 'Notes' (note type 'Vocab') is not imported: Quizapp has "
                                        "no place for it")
    assert notices[anki.id("empty")] == "note not imported: its back is empty"
    assert notices[anki.id("sound")] == "sound 'chien.mp3' removed from the text: Quizapp plays no sound"
    assert all(n.level == "skipped" for n in result.notices)


@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_a_basic_and_reversed_note_is_one_question_with_two_sibling_cards(anki, layout):
    """Not two unrelated questions: one flashcard whose second card asks the back (Anki's card 2)."""
    from quizapp.domain.questions import get_type

    qs = by_id(parse_apkg(getattr(anki, layout)).bank)
    river = qs[anki.id("river")]
    assert river.fields == {"front": "river", "back": "fleuve", "reverse": True}
    assert anki.id("river") + "-reverse" not in qs
    lake = qs[anki.id("lake")]  # optional reversed, reverse asked for
    assert lake.fields == {"front": "lake", "back": "lac", "reverse": True}
    flashcard = get_type("flashcard")
    assert flashcard.cards(river.fields) == [0, 1]
    assert (flashcard.prompt(river.fields, 0), flashcard.expected(river.fields, 0)) == ("river", "fleuve")
    assert (flashcard.prompt(river.fields, 1), flashcard.expected(river.fields, 1)) == ("fleuve", "river")
    assert flashcard.cards(qs[anki.id("mountain")].fields) == [0]


def test_legacy_and_current_packages_give_the_same_bank(anki):
    legacy, current = parse_apkg(anki.legacy).bank, parse_apkg(anki.current).bank
    assert legacy == current
    assert legacy.media == current.media


def test_a_single_deck_titles_the_bank_and_adds_no_deck_tags(anki):
    bank = parse_apkg(anki.europe, "europe.apkg").bank
    assert bank.title == "Geography::Europe"
    assert sorted(q.id for q in bank.questions) == sorted([anki.id("capital"), anki.id("crowned")])
    assert by_id(bank)[anki.id("capital")].tags == ["capitals"]


def test_title_and_bank_id_can_be_given(anki):
    bank = parse_apkg(anki.current, bank_id="my-deck", title="My deck").bank
    assert (bank.id, bank.title) == ("my-deck", "My deck")


def test_an_empty_package_is_refused_with_a_message(tmp_path):
    col = Collection(str(tmp_path / "empty.anki2"))
    try:
        col.decks.id("Nothing here")
        package = export(col, tmp_path / "empty.apkg")
    finally:
        col.close()
    result = parse_apkg(package, "empty.apkg")
    assert result.bank is None
    assert [e.message for e in result.errors] == ["the package holds no notes: there is nothing to import"]


def test_a_package_of_only_image_occlusions_is_refused_naming_each(tmp_path):
    col = Collection(str(tmp_path / "io.anki2"))
    try:
        add_note(col, "Cloze", "Anatomy", Text="{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4}}")
        package = export(col, tmp_path / "io.apkg")
    finally:
        col.close()
    result = parse_apkg(package, "io.apkg")
    assert result.bank is None
    assert [e.message for e in result.errors] == [
        "none of the package's 1 notes can be imported (each is named below with the reason)"]
    assert [n.message for n in result.notices] == [
        "image occlusion note not imported: Quizapp cannot show image occlusions"]


def test_many_notes_left_out_for_one_reason_are_named_then_counted(tmp_path):
    col = Collection(str(tmp_path / "sounds.anki2"))
    try:
        for n in range(25):
            add_note(col, "Basic", "Words", Front=f"word {n} [sound:w{n}.mp3]", Back=f"mot {n}")
        package = export(col, tmp_path / "sounds.apkg")
    finally:
        col.close()
    result = parse_apkg(package)
    assert len(result.bank.questions) == 25  # kept, without their sounds
    messages = [n.message for n in result.notices]
    assert messages[:2] == ["sound 'w0.mp3' removed from the text: Quizapp plays no sound",
                            "sound 'w1.mp3' removed from the text: Quizapp plays no sound"]
    assert len(messages) == 21 and messages[-1] == "and 5 more: sounds removed from the text"


# -- banks written for Anki --------------------------------------------------------------------

def sample_bank() -> Bank:
    return Bank(id="rivers", title="Rivers of Europe", description="Names & places", questions=[
        Question("seine", "flashcard", {"front": "Which river flows through Paris?", "back": "The Seine"},
                 explanation="It rises in Burgundy.", tags=["france", "capital cities"]),
        Question("rhine", "flashcard", {"front": "Rhine", "back": "Rhein", "reverse": True}, tags=["german"]),
        Question("danube", "cloze", {"text": "The {{c1::Danube}} ends in the {{c2::Black Sea}}.",
                                     "extra": '<img src="delta.png">'}, format="html"),
        Question("longest", "multiple_choice", {"prompt": "Longest river of Europe?",
                                                "choices": ["Volga", "Danube", "Rhine"], "answer": "Volga"}),
        Question("length", "numeric", {"prompt": "Length of the Thames?", "answer": 346, "unit": "km"}),
    ], media={"delta.png": PNG})


def test_anki_imports_what_dump_apkg_writes(tmp_path):
    col = import_into_anki(tmp_path, dump_apkg(sample_bank()))
    try:
        notes = anki_notes(col)
        assert sorted(notes) == sorted(f"quizapp:rivers/{i}" for i in ("seine", "rhine", "danube", "longest",
                                                                       "length"))
        seine = notes["quizapp:rivers/seine"]
        assert seine.note_type()["name"] == "Basic (quizapp)"
        shown = {k: v for k, v in seine.items() if k != "Quizapp"}
        assert shown == {"Front": "Which river flows through Paris?", "Back": "The Seine",
                         "Explanation": "It rises in Burgundy."}
        assert '"type":"flashcard"' in seine["Quizapp"]  # the question itself, for the way back
        assert sorted(seine.tags) == ["capital_cities", "france"]
        rhine = notes["quizapp:rivers/rhine"]  # one note, two cards
        assert rhine.note_type()["name"] == "Basic and reversed (quizapp)"
        assert [c.ord for c in rhine.cards()] == [0, 1]
        danube = notes["quizapp:rivers/danube"]
        assert danube.note_type()["type"] == 1  # a cloze note type
        assert danube["Text"] == "The {{c1::Danube}} ends in the {{c2::Black Sea}}."
        assert len(danube.cards()) == 2
        longest = notes["quizapp:rivers/longest"]
        assert longest.note_type()["name"] == "Question (quizapp)"
        assert longest["Front"] == ("Longest river of Europe?<ul><li>Volga</li><li>Danube</li><li>Rhine</li>"
                                    "</ul>")
        assert longest["Back"] == "Volga"
        assert notes["quizapp:rivers/length"]["Back"] == "346 km"
        assert {col.decks.name(c.did) for n in notes.values() for c in n.cards()} == {"Rivers of Europe"}
        assert (Path(col.media.dir()) / "delta.png").read_bytes() == PNG
        # Anki shows the question, never the Quizapp field
        card = seine.cards()[0]
        assert "quizapp" not in card.question().lower() and "quizapp" not in card.answer().lower()
    finally:
        col.close()


def test_a_re_export_updates_the_notes_in_anki_instead_of_adding_copies(tmp_path):
    first = sample_bank()
    second = sample_bank()
    second.questions[0].fields["back"] = "The Seine (Paris)"
    col = import_into_anki(tmp_path, dump_apkg(first, now=1_800_000_000), dump_apkg(second, now=1_800_000_060))
    try:
        notes = anki_notes(col)
        assert len(notes) == 5
        assert notes["quizapp:rivers/seine"]["Back"] == "The Seine (Paris)"
        assert len(col.decks.all_names_and_ids()) == 2  # Default and the bank's deck, once
        assert len([m for m in col.models.all_names_and_ids() if "quizapp" in m.name]) == 4
    finally:
        col.close()


def test_stable_ids_depend_only_on_names():
    assert stable_id("deck", "rivers") == stable_id("deck", "rivers") != stable_id("deck", "lakes")
    assert 0 < stable_id("deck", "rivers") < 2**53


def test_dump_then_parse_gives_the_same_questions_and_media():
    bank = sample_bank()
    result = parse_apkg(dump_apkg(bank), "rivers.apkg")
    assert result.errors == [] and result.notices == []
    back = result.bank
    assert (back.id, back.title, back.description) == ("rivers", "Rivers of Europe", "Names & places")
    assert back.questions == bank.questions  # types included: a multiple choice stays one
    assert back.media == {"delta.png": PNG}


def test_plain_and_markdown_text_is_written_as_html_for_anki(tmp_path):
    bank = Bank("b", "B", [Question("a", "flashcard", {"front": "x < y & z", "back": "line 1\nline 2"}),
                           Question("m", "flashcard", {"front": "**bold**", "back": "*it*"}, format="markdown")])
    col = import_into_anki(tmp_path, dump_apkg(bank))
    try:
        notes = anki_notes(col)
        assert (notes["quizapp:b/a"]["Front"], notes["quizapp:b/a"]["Back"]) == ("x &lt; y &amp; z",
                                                                                 "line 1<br>line 2")
        assert (notes["quizapp:b/m"]["Front"], notes["quizapp:b/m"]["Back"]) == ("<p><strong>bold</strong></p>",
                                                                                 "<p><em>it</em></p>")
    finally:
        col.close()
    assert parse_apkg(dump_apkg(bank)).bank.questions == bank.questions  # and come back as written


def test_unsafe_media_names_are_never_written():
    bank = sample_bank()
    bank.media["../evil.png"] = b"x"
    with pytest.raises(ValueError, match="points outside"):
        dump_apkg(bank)


WORDS = st.text(string.ascii_letters + string.digits + " .,;!?'()-", min_size=1, max_size=24).map(str.strip) \
    .filter(lambda t: t and clean_html(t) == t)
HTML_TEXT = st.one_of(WORDS, WORDS.map(lambda t: f"<b>{t}</b>"), st.tuples(WORDS, WORDS).map("<br>".join))
TAGS = st.lists(st.from_regex(r"[a-z][a-z0-9_:-]{0,10}", fullmatch=True), unique=True, max_size=3)


@st.composite
def cloze_texts(draw) -> str:
    parts = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        parts.append(draw(WORDS))
        hint = draw(st.none() | WORDS)
        inner = f" {{{{c{n + 3}::{draw(WORDS)}}}}}" if draw(st.booleans()) else ""
        parts.append(f"{{{{c{n}::{draw(WORDS)}{inner}{'::' + hint if hint else ''}}}}}")
    return " ".join(parts + [draw(WORDS)])


@st.composite
def anki_banks(draw) -> Bank:
    ids = draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True), min_size=1, max_size=6,
                        unique=True))
    questions = []
    for qid in ids:
        if draw(st.booleans()):
            fields = {"front": draw(HTML_TEXT), "back": draw(HTML_TEXT)}
            if draw(st.booleans()):
                fields["reverse"] = True
            qtype = "flashcard"
        else:
            fields = {"text": draw(cloze_texts())}
            if draw(st.booleans()):
                fields["extra"] = draw(HTML_TEXT)
            qtype = "cloze"
        questions.append(Question(qid, qtype, fields, explanation=draw(st.just("") | HTML_TEXT),
                                  tags=draw(TAGS), format="html"))
    bank_id = draw(st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True))
    return Bank(bank_id, draw(WORDS), questions, description=draw(st.just("") | WORDS))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anki_banks())
def test_native_to_apkg_to_native_round_trip_of_flashcards_and_clozes(bank):
    result = parse_apkg(dump_apkg(bank))
    assert result.errors == []
    assert result.bank == bank


# -- hostile and damaged packages --------------------------------------------------------------

def only_error(data: bytes, **options) -> str:
    result = parse_apkg(data, "upload.apkg", **options)
    assert result.bank is None and len(result.errors) >= 1
    return " | ".join(e.message for e in result.errors)


def test_media_names_that_escape_a_folder_are_refused_in_a_legacy_map(anki):
    hostile = repack(anki.legacy, {"media": json.dumps({"0": "../../etc/passwd", "1": "/abs"}).encode(),
                                   "1": b"x"})
    message = only_error(hostile)
    assert "media file name '../../etc/passwd' points outside the media folder ('..')" in message
    assert "media file name '/abs' is an absolute path" in message


def test_media_names_that_escape_a_folder_are_refused_in_a_current_map(anki):
    entries = pb(1, pb(1, b"..\\..\\boot.ini")) + pb(1, pb(1, b"C:evil.png"))
    hostile = repack(anki.current, {"media": zstandard.ZstdCompressor().compress(entries)})
    message = only_error(hostile)
    assert "'..\\\\..\\\\boot.ini' contains a backslash" in message
    assert "'C:evil.png' starts with a drive letter" in message


def test_the_current_media_map_is_decoded_by_hand(anki):
    with zipfile.ZipFile(io.BytesIO(anki.current)) as archive:
        listing = zstandard.ZstdDecompressor().stream_reader(archive.read("media")).read()
    entry = dict(proto_fields(dict(proto_fields(listing))[1]))
    assert entry[1] == anki.image.encode() and entry[2] == len(PNG) and len(entry[3]) == 20


def test_a_zip_bomb_inside_a_package(anki):
    message = only_error(repack(anki.legacy, {"collection.anki21": bytes(8 * MB)}))
    assert "zip entry 'collection.anki21' expands" in message and "(limit 100:1)" in message


def test_a_zstd_bomb_inside_a_package(anki):
    bomb = zstandard.ZstdCompressor(write_content_size=False).compress(bytes(4 * MB))
    message = only_error(repack(anki.current, {"collection.anki21b": bomb}),
                         limits=Limits(max_total_uncompressed=2 * MB))
    assert message == "zip entry 'collection.anki21b' expands more than 100:1 (limit 100:1)"


@pytest.mark.parametrize(("layout", "limit", "expected"), [
    ("legacy", 100, "image 'map of france.png' is 1 KB (limit 100 bytes)"),
    ("current", 1000, "image 'map of france.png' expands to more than 1000 bytes (the limit)"),  # zstd-compressed
])
def test_an_image_over_the_media_limit(anki, layout, limit, expected):
    assert only_error(getattr(anki, layout), limits=Limits(max_media_bytes=limit)) == expected


def test_an_image_missing_from_the_package_is_a_notice(anki):
    result = parse_apkg(repack(anki.legacy, {"media": b"{}", "0": None}))
    assert result.errors == []
    assert result.bank.media == {}
    assert [str(n) for n in result.notices if "image" in n.message] == [
        f"deck.apkg: question {anki.id('capital')!r}: image {anki.image!r} is not in the package; the question "
        "is kept without it"]
    # kept without it: no broken image left in the text
    assert by_id(result.bank)[anki.id("capital")].fields["back"] == "Paris"


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "not a readable zip archive"),
    (b"SQLite format 3\x00" + bytes(100), "not a readable zip archive"),
    (b"\x00\xff" * 300, "not a readable zip archive"),
])
def test_bytes_that_are_no_package(data, expected):
    assert expected in only_error(data)


def test_text_is_no_package():
    assert only_error("PK not really") == "an Anki package is a binary (zip) file, not text"


def test_a_damaged_media_list_or_meta(anki):
    assert only_error(repack(anki.current, {"media": zstandard.ZstdCompressor().compress(b"\x0a\xff")})) == (
        "the media list is damaged")
    result = parse_apkg(repack(anki.current, {"meta": b"\xff"}))  # unreadable meta: media sniffed instead
    assert result.errors == [] and result.bank.media == {anki.image: PNG}


def test_a_truncated_package(anki):
    assert "not a readable zip archive" in only_error(anki.legacy[: len(anki.legacy) // 2])


def test_a_zip_without_a_collection():
    data = repack(zipfile_bytes({"notes.txt": b"hello"}), {})
    assert only_error(data) == ("not an Anki package: it holds no collection.anki21b, collection.anki21 "
                                "or collection.anki2")




def test_a_collection_that_is_not_sqlite():
    assert only_error(zipfile_bytes({"collection.anki2": b"hello"})) == (
        "the collection inside the package is not an SQLite database")


def sqlite_bytes(tmp_path: Path, script: str) -> bytes:
    path = tmp_path / "crafted.sqlite"
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.commit()
    finally:
        conn.close()
    return path.read_bytes()


def test_a_collection_whose_tables_are_views_is_refused_without_running_them(tmp_path):
    db = sqlite_bytes(tmp_path, """
        CREATE TABLE col (models, decks);
        CREATE TABLE cards (nid, did, ord, odid);
        CREATE VIEW notes AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
            SELECT n AS id, n AS guid, n AS mid, '' AS tags, '' AS flds FROM r;
    """)
    assert only_error(zipfile_bytes({"collection.anki2": db})) == (
        "the package's collection has no 'notes' table: not an Anki collection")


def test_a_collection_with_garbage_note_types_is_an_error_not_a_crash(tmp_path):
    db = sqlite_bytes(tmp_path, """
        CREATE TABLE col (models, decks);
        INSERT INTO col VALUES ('{"1": {"name": "x"', '[]');
        CREATE TABLE notes (id, guid, mid, tags, flds);
        CREATE TABLE cards (nid, did, ord, odid);
    """)
    assert "damaged" in only_error(zipfile_bytes({"collection.anki2": db}))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    result = parse_apkg(data)
    assert result.bank is None and result.errors


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_real_packages_never_raise(anki, data):
    package = bytearray(data.draw(st.sampled_from([anki.legacy, anki.current])))
    for _ in range(data.draw(st.integers(1, 8))):
        package[data.draw(st.integers(0, len(package) - 1))] = data.draw(st.integers(0, 255))
    result = parse_apkg(bytes(package))
    assert (result.bank is None) == bool(result.errors)


MEMBERS = st.sampled_from(["collection.anki2", "collection.anki21", "collection.anki21b", "media", "meta", "0"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(MEMBERS, st.one_of(
    st.binary(max_size=200),
    st.just(b"SQLite format 3\x00" + bytes(200)),
    st.just(zstandard.ZstdCompressor().compress(b"SQLite format 3\x00junk")),
    st.recursive(st.none() | st.integers() | st.text(max_size=10),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                               max_size=3),
                 max_leaves=8).map(lambda v: json.dumps(v).encode()),
), max_size=5))
def test_crafted_packages_never_raise(entries):
    assume(entries)
    result = parse_apkg(zipfile_bytes(entries))
    assert (result.bank is None) == bool(result.errors)


MODELS = json.dumps({
    "1": {"name": "Basic", "type": 0, "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
          "tmpls": [{"ord": 0, "qfmt": "{{Front}}"}, {"ord": 1, "qfmt": "{{Back}}"}]},
    "2": {"name": "Cloze", "type": 1, "flds": [{"name": "Text"}, {"name": "Back Extra"}], "tmpls": 3},
    "x": [], "3": {"flds": [1, {"ord": "x"}], "tmpls": [{"ord": None}], "name": 5},
    "4": {"name": "Question (quizapp)", "type": 0, "tmpls": [{"ord": 0, "qfmt": "{{Front}}"}],
          "flds": [{"name": n, "ord": i} for i, n in enumerate(["Front", "Back", "Explanation", "Quizapp"])]}})
# What a crafted Quizapp field may hold: our JSON with hostile or broken questions in it.
QUIZAPP_FIELDS = st.sampled_from([
    '{"quizapp":1,"question":{"id":"x","type":"cloze","text":["{{c1::x}}"]},"shown":""}',
    '{"quizapp":1,"question":{"id":"x","type":"nope"},"shown":""}',
    '{"quizapp":1,"question":{"id":"x","type":"flashcard","front":"a","back":"b","reverse":"yes"}}',
    '{"quizapp":1,"question":{"id":"../x","type":"multiple_choice","choices":5,"answer":{}},"shown":"0"}',
    '{"quizapp":1,"question":[]}', '{"quizapp":' + "[" * 5000 + "]" * 5000 + "}", "quizapp {",
])
DECKS = json.dumps({"1": {"name": "A::B", "desc": 5}, "2": {"name": "A::C"}, "3": []})
CELL = st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=12), st.binary(max_size=12))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_crafted_collections_never_raise(tmp_path_factory, data):
    """Anki's tables, hostile rows: what an attacker controls, read through the real queries."""
    tmp = tmp_path_factory.mktemp("crafted")
    mostly = st.integers(0, 9).map(lambda n: n < 8)
    col = (MODELS if data.draw(mostly) else data.draw(st.sampled_from(["{}", "[1]", "{", "null"]) | CELL),
           DECKS if data.draw(mostly) else data.draw(st.sampled_from(["{}", "[]"]) | CELL))
    fields = st.lists(st.sampled_from(["{{c1::x}}", "front", "<img src='0'>", "", "<script>", "{{c1::"])
                      | st.text(max_size=6) | QUIZAPP_FIELDS, min_size=1, max_size=4).map("\x1f".join)
    notes = data.draw(st.lists(st.tuples(st.integers(1, 4), CELL, st.sampled_from([1, 2, 3, 4, 4, 1, 2, "1", None, 9]),
                                         st.text(max_size=8) | CELL, fields | fields | CELL), min_size=1, max_size=4))
    cards = data.draw(st.lists(st.tuples(st.integers(1, 4) | CELL, st.integers(0, 3) | CELL,
                                         st.integers(0, 2) | CELL, st.integers(0, 2) | CELL), max_size=4))
    conn = sqlite3.connect(tmp / "c.sqlite")
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript("CREATE TABLE col (models, decks); CREATE TABLE notes (id, guid, mid, tags, flds);"
                           "CREATE TABLE cards (nid, did, ord, odid);")
        conn.execute("INSERT INTO col VALUES (?, ?)", col)
        conn.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?)", notes)
        conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?)", cards)
        conn.commit()
    finally:
        conn.close()
    result = parse_apkg(zipfile_bytes({"collection.anki2": (tmp / "c.sqlite").read_bytes()}))
    assert (result.bank is None) == bool(result.errors)
