"""GIFT in and out: Moodle's own fixtures, each GIFT rule, errors with lines, the writer, fuzz.
(Round trips: test_gift_roundtrip.py; against a transliteration of Moodle's reader: test_gift_moodle.py;
one test per fixed defect: test_gift_defects.py; hostile input: test_gift_linear.py.)"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.banks.gift import NO_MODEL_ANSWER, dump_gift, parse_gift, read_gift
from quizapp.banks.model import Bank, Question


def _shared() -> Path:
    env = os.environ.get("QUIZAPP_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


GIFT_DIR = _shared() / "conformance" / "gift"
FIXTURES = sorted(p.name for p in GIFT_DIR.glob("moodle__*.txt")) if GIFT_DIR.is_dir() else []
needs_shared = pytest.mark.skipif(not GIFT_DIR.is_dir(), reason="../shared/conformance/gift is absent")


def bank_of(text: str, **options) -> Bank:
    result = parse_gift(text, **options)
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


def one(text: str, **options) -> Question:
    questions = bank_of(text, **options).questions
    assert len(questions) == 1, questions
    return questions[0]


def errors_of(text: str | bytes) -> list[tuple[int | None, str]]:
    result = parse_gift(text)
    assert result.bank is None
    return [(e.line, e.message) for e in result.errors]


# -- Moodle's own material ------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", FIXTURES)
def test_every_moodle_fixture_imports_without_errors(name):
    result = parse_gift((GIFT_DIR / name).read_bytes(), name)
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank.questions
    assert all(n.level == "skipped" and "description" in n.message for n in result.notices)


# expected.json key -> attribute of the stage-1 GiftQuestion
ATTRIBUTE = {"answer_formats": "answerformat", "feedback_formats": "feedbackformat",
             "subquestion_formats": "subquestionformat"}


def assert_like_moodle(question, expected: dict) -> None:
    for key, want in expected.items():
        if key == "test":
            continue
        got = getattr(question, ATTRIBUTE.get(key, key))
        if key == "fraction":
            assert got == pytest.approx(want), key
        elif key == "tolerance":
            assert [g if w == "" else float(g) for g, w in zip(got, want)] == want, key
        else:
            assert got == want, (question.name, key)


@needs_shared
def test_moodle_unit_test_questions_parse_as_moodle_expects():
    expected = json.loads((GIFT_DIR / "moodle__giftformat_test_extracted.expected.json").read_text())
    read = read_gift((GIFT_DIR / "moodle__giftformat_test_extracted.gift.txt").read_bytes())
    assert not read.errors
    assert [q.name for q in read.questions] == [e["name"] for e in expected["questions"]]
    for question, want in zip(read.questions, expected["questions"]):
        assert_like_moodle(question, want)


@needs_shared
def test_moodle_fixture_file_parses_as_moodle_expects():
    expected = json.loads((GIFT_DIR / "moodle__giftformat_test_extracted.expected.json").read_text())
    read = read_gift((GIFT_DIR / "moodle__tests_fixtures__questions.gift.txt").read_bytes())
    assert not read.errors
    for name, want in expected["also_from_same_file_for_fixtures/questions.gift.txt"].items():
        matching = [q for q in read.questions if q.name == name]
        assert matching, name
        for question in matching:
            assert_like_moodle(question, want)


@needs_shared
def test_moodle_fixtures_convert_to_the_questions_a_teacher_expects():
    bank = parse_gift((GIFT_DIR / "moodle__tests_fixtures__questions.gift.txt").read_bytes()).bank
    by_id = {q.id: q for q in bank.questions}
    assert by_id["q5"].fields == {"prompt": "What is a number from 1 to 5?", "answer": 3, "tolerance": 2,
                                  "wrong_feedback": "Completely wrong"}
    assert by_id["q1"].fields["feedback"] == {"true": "42 is the Ultimate Answer.",
                                              "false": "You gave the right answer."}
    assert by_id["moodle-activities"].fields["distractors"] == ["Chat"]
    category = parse_gift((GIFT_DIR / "moodle__tests_fixtures__questions_in_category.gift.txt").read_bytes())
    assert category.bank.title == "Default for New Features"
    assert category.bank.id == "default-for-new-features"
    greeting = next(q for q in category.bank.questions if q.id == "greeting")
    assert greeting.format == "html" and greeting.fields["answer"] == "French"
    assert 'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in greeting.fields["prompt"]


# -- blocks, comments, categories, names ----------------------------------------------------------


def test_blank_lines_separate_questions_and_comments_are_ignored():
    bank = bank_of("// a comment\nFirst?{=one}\n\n\n  \n// another\nSecond?{T}\n")
    assert [q.type for q in bank.questions] == ["short_answer", "true_false"]
    assert bank.questions[0].fields["prompt"] == "First?"
    assert [q.line for q in bank.questions] == [2, 7]


def test_tag_and_id_comments():
    q = one("// [tag:easy] [tag: week 1 ] and [id:cap-fr]\nCapital of France?{=Paris}")
    assert q.id == "cap-fr"
    assert q.tags == ["easy", "week 1"]
    assert one("// [id:Q 1.2]\nX?{=y}").id == "q-1-2"  # not a slug: slugified


def test_category_names_the_bank_and_tags_the_questions_below_it():
    text = ("$CATEGORY: $course$/top/Physics\n\nA?{=a}\n\n"
            "// sub\n$CATEGORY: $course$/top/Physics/Optics and Light\n\nB?{=b}")
    bank = bank_of(text)
    assert bank.title == "Physics" and bank.id == "physics"
    assert [q.tags for q in bank.questions] == [["physics"], ["physics", "optics-and-light"]]
    titled = bank_of(text, title="Science", bank_id="sci")
    assert (titled.title, titled.id) == ("Science", "sci")
    assert [q.tags for q in titled.questions] == [["physics"], ["physics", "optics-and-light"]]


def test_a_category_line_takes_only_its_own_line():
    bank = bank_of("$CATEGORY: Maths\nTwo plus two?{#4}")
    assert bank.title == "Maths" and bank.questions[0].fields["answer"] == 4


def test_without_category_the_file_name_titles_the_bank():
    bank = bank_of("A?{=a}", file="week-3.gift.txt")
    assert (bank.title, bank.id) == ("week-3", "week-3")


def test_names_give_ids_and_repeats_are_numbered():
    bank = bank_of("::Capital of France::Which?{=Paris}\n\n::Capital of France::Again?{=Paris}\n\n"
                   "Who is buried in Grant's tomb, really and truly and honestly?{=nobody}")
    assert [q.id for q in bank.questions] == [
        "capital-of-france", "capital-of-france-2", "who-is-buried-in-grant-s-tomb-really-and"]
    assert one("What's the answer to this multiple-choice question?{=a ~b}").id == (
        "what-s-the-answer-to-this")  # whole words only


# -- text, formats, escapes -----------------------------------------------------------------------


def test_formats_of_question_text():
    html = one("[html]<p>Name <b>it</b><script>alert(1)</script></p>{=x}")
    assert html.format == "html" and html.fields["prompt"] == "<p>Name <b>it</b></p>"
    assert one("[markdown]Name **it**{=x}").format == "markdown"
    moodle = one("[moodle]Name <b>it</b>\\nnext{=x}")  # Moodle's format renders HTML, keeps line breaks
    assert moodle.format == "html" and moodle.fields["prompt"] == "Name <b>it</b><br>next"
    plain = one("[plain]Name <b>it</b>{=x}")
    assert plain.format == "plain" and plain.fields["prompt"] == "Name <b>it</b>"
    assert one("Name it, 1 < 2 & 3{=x}").format == "plain"  # no tag, no entity: shown as typed


def test_answer_formats_follow_the_question_unless_given():
    q = one("[html]Pick{=[plain]a < b#[html]<i>yes</i> ~<b>c</b>#no}")
    assert q.fields["choices"] == ["a &lt; b", "<b>c</b>"]
    assert q.fields["feedback"] == {"a &lt; b": "<i>yes</i>", "<b>c</b>": "no"}
    mixed = one("Pick & choose{=[html]<b>bold</b> ~other}")  # an HTML choice: the question is HTML
    assert mixed.format == "html"
    assert (mixed.fields["prompt"], mixed.fields["choices"]) == ("Pick &amp; choose", ["<b>bold</b>", "other"])
    markdown = one("[markdown]Pick{=[html]<b>bold</b> ~other}")
    assert markdown.fields["choices"] == ["bold", "other"]


def test_escapes():
    q = one(r"Which \{ is \} \~ \= \# \: and a \\ backslash\nnew line?{=a\=b\#c ~d\~e}")
    assert q.fields["prompt"] == "Which { is } ~ = # : and a \\ backslash\nnew line?"
    assert q.fields["choices"] == ["a=b#c", "d~e"]
    assert one(r"A \\ B \\\\ C{}").fields["front"] == "A \\ B \\\\ C"
    assert one(r"Code\: \\{=x}").fields["prompt"] == "Code: \\"  # \\ then an unescaped {


def test_missing_word_puts_a_blank_where_the_block_stood():
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.fields["prompt"] == "Grant is _____ in Grant's tomb."
    assert one("Who's buried in Grant's tomb?{=no one}").fields["prompt"] == "Who's buried in Grant's tomb?"


def test_stray_php_tail_after_the_block_is_tolerated():
    assert one('::Q5:: A number from 1 to 5? {#3:2}";').fields["prompt"] == "A number from 1 to 5?"


def test_general_and_answer_feedback():
    q = one("Pick{=a#Right! ~b#Wrong.####Because a.}")
    assert q.explanation == "Because a."
    assert q.fields["feedback"] == {"a": "Right!", "b": "Wrong."}


# -- types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("block", "qtype"), [
    ("{T}", "true_false"), ("{TRUE}", "true_false"), ("{F#no}", "true_false"), ("{FALSE}", "true_false"),
    ("{true}", "short_answer"), ("{True}", "short_answer"), ("{TRUEISH}", "short_answer"),
    ("{=four}", "short_answer"), ("{#4}", "numeric"), ("{~a =b}", "multiple_choice"),
    ("{~%50%a ~%50%b ~c}", "multiple_select"), ("{=a -> 1 =b -> 2}", "matching"), ("{}", "flashcard"),
    ("{####model answer}", "flashcard"),
])
def test_type_is_decided_in_moodles_order(block, qtype):
    assert one(f"Question {block}").type == qtype


def test_description_is_skipped_not_an_error():
    result = parse_gift("Just some text.\n\nQ?{=a}")
    assert result.ok and [q.id for q in result.bank.questions] == ["q"]
    assert [(n.line, n.level) for n in result.notices] == [(1, "skipped")]


def test_multiple_choice_weights_and_feedback():
    q = one("Difficult{~wrong#no ~%50%half credit =full credit#yes ~%-100%awful}")
    assert q.type == "multiple_choice"
    assert q.fields["answer"] == "full credit"
    assert q.fields["weights"] == {"half credit": 0.5, "awful": -1.0}
    assert q.fields["feedback"] == {"wrong": "no", "full credit": "yes"}


def test_multiple_select_answers_and_weights():
    q = one("Two?{~%-100%No one ~%50%Grant ~%50%Grant's wife ~Grant's father}")
    assert q.type == "multiple_select"
    assert q.fields["answers"] == ["Grant", "Grant's wife"]
    assert q.fields["weights"] == {"No one": -1.0, "Grant": 0.5, "Grant's wife": 0.5}
    thirds = one("Three?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert thirds.fields["weights"]["a"] == pytest.approx(1 / 3, abs=1e-6)


def test_multiple_select_with_the_default_scheme_has_no_weights():
    q = one("Two?{~%50%a ~%50%b ~%-50%c}")
    assert q.fields["answers"] == ["a", "b"] and "weights" not in q.fields


def test_true_false_feedback_goes_to_what_the_learner_answered():
    q = one("42 is the answer.{FALSE#shown if wrong#shown if right####general}")
    assert q.fields["answer"] is False
    assert q.fields["feedback"] == {"true": "shown if wrong", "false": "shown if right"}
    assert q.explanation == "general"
    t = one("The sun rises in the east.{TRUE#shown if wrong#shown if right}")
    assert t.fields["feedback"] == {"true": "shown if right", "false": "shown if wrong"}


def test_short_answer_weights_feedback_and_wildcard():
    q = one("Best animal?{=Frog#Good! =%50%Cat#Hm. =%0%*#Completely wrong}")
    assert q.fields["answers"] == ["Frog", "Cat", "*"]
    assert q.fields["weights"] == {"Cat": 0.5, "*": 0.0}
    assert q.fields["feedback"] == {"Frog": "Good!", "Cat": "Hm.", "*": "Completely wrong"}
    assert one("Two plus two equals {=four =4}.").fields["answers"] == ["four", "4"]


@pytest.mark.parametrize(("block", "answer", "tolerance"), [
    ("{#1822}", 1822, 0), ("{#3:2}", 3, 2), ("{#1..5}", 3, 2), ("{#3.141..3.142}", 3.1415, 0.0005),
    ("{#-2.5e1:0.5}", -25.0, 0.5),
])
def test_numeric_forms(block, answer, tolerance):
    q = one(f"Number? {block}")
    assert q.type == "numeric"
    assert q.fields["answer"] == pytest.approx(answer)
    assert q.fields["tolerance"] == pytest.approx(tolerance)


def test_numeric_with_several_weighted_answers():
    q = one("Born? {#\n    =1822:0 #Correct!\n    =%50%1822:2 #Close.\n    ~#No.\n}")
    assert (q.fields["answer"], q.fields["tolerance"], q.fields["feedback"]) == (1822, 0, "Correct!")
    assert q.fields["alternatives"] == [{"answer": 1822, "tolerance": 2, "weight": 0.5, "feedback": "Close."}]


def test_matching_with_a_distractor():
    q = one("Match.{\n =Canada -> Ottawa\n =Italy->Rome\n =Japan -> Tokyo\n = -> Chat\n}")
    assert q.fields["pairs"] == [["Canada", "Ottawa"], ["Italy", "Rome"], ["Japan", "Tokyo"]]
    assert q.fields["distractors"] == ["Chat"]


def test_essay_becomes_a_flashcard():
    q = one("::Q8:: Describe the water cycle. {####Evaporation, condensation, precipitation.}")
    assert q.fields == {"front": "Describe the water cycle.", "back": "Evaporation, condensation, precipitation."}
    assert q.explanation == ""
    assert one("How are you? {}").fields["back"] == NO_MODEL_ANSWER


# -- errors ---------------------------------------------------------------------------------------


def test_unclosed_brace_and_a_bad_number_are_both_reported_with_their_lines():
    text = "::a:: Fine?{=yes}\n\n::b:: Broken {=no\nmore text\n\n::c:: Year?{#\n=1822\n=abc}\n"
    assert errors_of(text) == [
        (3, "'{' opens an answer block that no '}' closes"),
        (8, "the numerical answer 'abc' is not a number (write 1822, 1822:2 for 1822 plus or minus 2, "
            "or 1820..1824)"),
    ]


def test_errors_name_the_question():
    result = parse_gift("::Broken one:: Q {=a")
    assert [(e.question, e.line) for e in result.errors] == [("Broken one", 1)]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("Q } {=a}", 1, "closes no '{'"),
    ("Q {~a ~b}", 1, "no right answer"),
    ("Q\n{\n~only}", 3, "at least 2 choices"),
    ("Q {=a -> 1}", 1, "at least 2 pairs"),
    ("Q {=a -> 1 = -> 2}", 1, "at least 2 pairs"),
    ("Q {=a -> 1\n=b 2}", 2, "is not a pair"),
    ("Q {=}", 1, "answer is empty"),
    ("Q {=%50%a}", 1, "full credit"),
    ("Q {#}", 1, "needs an answer"),
    ("Q {#\n=%50%3}", 1, "full credit"),
    ("Q {#5..1}", 1, "runs backwards"),
    ("Q {#5:x}", 1, "tolerance 'x'"),
    ("Q {~%--50%a =b}", 1, "not a number"),
    ("Q {\n=a\n~%150%b}", 3, "outside -100%..100%"),
    ("Q {~ =b}", 1, "choice is empty"),
    ("Only a description.", None, "has no questions"),
    ("", None, "has no questions"),
    ("// [quizapp] {not json\nQ {=a}", 1, "JSON object"),
])
def test_errors_with_lines(text, line, words):
    found = errors_of(text)
    assert any(at == line and words in message for at, message in found), found


def test_bytes_that_are_not_utf8():
    found = errors_of(b"Q1 {=a}\n\nQ2 {=caf\xe9}\n")
    assert found == [(3, "is not UTF-8 text (byte 0xe9); save the file as UTF-8 and upload it again")]


def test_utf8_bytes_with_bom_and_windows_line_ends():
    bank = bank_of("\ufeffCafé?{=oui}\r\n\r\nThé?{=non}".encode())
    assert [q.fields["prompt"] for q in bank.questions] == ["Café?", "Thé?"]


# -- writer ---------------------------------------------------------------------------------------


def test_writer_output_reads_in_moodle_terms():
    bank = Bank(id="geo", title="Geography / Europe", tags=["geo"], questions=[
        Question(id="cap", type="multiple_choice", tags=["easy", "capitals"], explanation="Paris {since} 508.",
                 fields={"prompt": "Capital of France: 1 = ?", "choices": ["Paris", "Lyon", "%5% off"],
                         "answer": "Paris", "weights": {"Lyon": 0.25}, "feedback": {"Lyon": "No ~ close"}}),
        Question(id="order", type="ordering", fields={"prompt": "Oldest first", "items": ["Rome", "Paris"]}),
    ])
    text = dump_gift(bank)
    assert "$CATEGORY: $course$/top/Geography // Europe" in text
    assert "// [id:cap] [tag:easy] [tag:capitals]" in text
    assert "::cap::Capital of France\\: 1 \\= ?{" in text
    assert "\t~%25%Lyon#No \\~ close\n" in text and "\t~%0%%5% off\n" in text
    assert "\t####Paris \\{since\\} 508.\n}" in text
    read = read_gift(text)  # what Moodle sees: the ordering is a matching of positions to items
    ordering = read.questions[1]
    assert (ordering.qtype, ordering.subquestions, ordering.subanswers) == ("match", ["1", "2"], ["Rome", "Paris"])
    assert read.questions[0].fraction == [1.0, 0.25, 0.0]
    assert read.questions[0].answer == ["Paris", "Lyon", "%5% off"]


def test_writer_true_false_as_moodle_writes_it():
    bank = Bank(id="b", title="B", questions=[Question(
        id="t", type="true_false", explanation="Yes.",
        fields={"prompt": "The sky is blue.", "answer": True, "feedback": {"true": "Right.", "false": "Look up."}})])
    assert "::t::The sky is blue.{TRUE#Look up.#Right.####Yes.}" in dump_gift(bank)


def test_cloze_is_a_missing_word_question_for_moodle():
    bank = Bank(id="b", title="B", questions=[Question(
        id="c", type="cloze", fields={"text": "{{c1::Paris}} is the capital of {{c2::France::country}}."})])
    text = dump_gift(bank)
    moodle = read_gift(text).questions[0]
    assert (moodle.qtype, moodle.questiontext, moodle.answer) == (
        "shortanswer", "_____ is the capital of France.", ["Paris"])
    assert parse_gift(text).bank == bank


# -- fuzz -----------------------------------------------------------------------------------------

TOKENS = list("{}~=#:%->\\\n /aT1.[]") + ["TRUE", "[html]", "$CATEGORY: a/b", "//", "::", "####", "[id:",
                                           "[tag:", "// [quizapp] {", '{"type": "cloze"}', "..", "\r", "\n\n"]
GIFTISH = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text() | GIFTISH)
def test_any_text_gives_a_parse_result(text):
    result = parse_gift(text)
    assert (result.bank is None) == bool(result.errors)
    assert all(isinstance(e.line, (int, type(None))) for e in result.errors)


@settings(max_examples=200, deadline=None)
@given(st.binary() | GIFTISH.map(lambda t: t.encode("utf-8") + b"\xff"))
def test_any_bytes_give_a_parse_result(data):
    result = parse_gift(data)
    assert (result.bank is None) == bool(result.errors)
