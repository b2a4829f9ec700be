"""One test per GIFT defect fixed, named for it. What Moodle does is checked with the
transliteration of its reader (tests/banks/moodle_gift.py), not with our own reader."""
from __future__ import annotations

import pytest

from quizapp.banks.gift import export_gift, parse_gift
from quizapp.banks.model import Bank, Question
from quizapp.banks.native import dump_yaml, parse_native
from quizapp.domain.questions import get_type

from . import moodle_gift as moodle


def bank_of(*questions: Question, title: str = "Bank") -> Bank:
    return Bank(id="b", title=title, questions=list(questions))


def in_moodle(bank: Bank) -> list[dict]:
    """The questions a Moodle import of our export stores (the category first)."""
    return moodle.import_file(export_gift(bank).text)


def one(text: str) -> Question:
    result = parse_gift(text)
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.bank.questions) == 1
    return result.bank.questions[0]


# -- export: files Moodle could not read back -----------------------------------------------------


def test_export_arrow_in_a_short_answer_stays_a_short_answer_in_moodle():
    single = Question(id="s", type="short_answer", fields={"prompt": "Arrow?", "answers": ["a->b"],
                                                           "feedback": {"a->b": "yes -> right"}})
    several = Question(id="m", type="short_answer", fields={"prompt": "Arrow?", "answers": ["a->b", "a to b"],
                                                            "feedback": {"a to b": "x -> y"}})
    export = export_gift(bank_of(single, several))
    first, second = moodle.import_file(export.text)[1:]
    assert (first["qtype"], first["answer"], first["feedback"][0]["text"]) == ("shortanswer", ["a->b"], "yes -> right")
    assert (second["qtype"], second["answer"]) == ("shortanswer", ["a-*>b", "a to b"])
    assert moodle.visible_text(second["feedback"][1]) == "x -> y"
    assert [n.message for n in export.notices] == [
        "the answer 'a->b' holds '->', which Moodle reads as a matching pair beside other answers; "
        "written as 'a-*>b' (* stands for any text)"]
    # The wildcard grades as Moodle grades it: the answer written with '->' is still right.
    assert get_type("short_answer").grade({"prompt": "", "answers": ["a-*>b"]}, "a->b").score == 1
    assert parse_gift(export.text).bank.questions == [single, several]


@pytest.mark.parametrize("fmt", ["plain", "html", "markdown"])
def test_export_arrow_in_a_matching_left_side_is_cut_where_moodle_cuts(fmt):
    q = Question(id="m", type="matching", format=fmt, fields={
        "prompt": "Match", "pairs": [["x -> y", "first"], ["b", "c -> d"]]})
    read = in_moodle(bank_of(q))[1]
    assert read["subanswers"] == ["first", "c -> d"]
    assert [moodle.visible_text(s) for s in read["subquestions"]] == ["x -> y", "b"]
    assert parse_gift(export_gift(bank_of(q)).text).bank.questions == [q]


def test_export_snaps_weights_moodle_refuses_and_says_which():
    q = Question(id="w", type="multiple_choice", fields={
        "prompt": "P", "choices": ["a", "b", "c", "d"], "answer": "a",
        "weights": {"b": 0.35, "c": 1 / 11, "d": -1 / 11}})
    with pytest.raises(moodle.MoodleError, match="invalidgrade"):  # what the old export made Moodle do
        moodle.import_file("P {=a ~%35%b ~%9.09091%c ~%-9.09091%d}")
    export = export_gift(bank_of(q))
    read = moodle.import_file(export.text)[1]
    assert read["fraction"] == [1.0, 0.3333333, 0.1, -0.1]
    assert [n.message for n in export.notices] == [
        "the weight 35% of the choice 'b' is not one Moodle accepts; written as 33.33333%",
        "the weight 9.09091% of the choice 'c' is not one Moodle accepts; written as 10%",
        "the weight -9.09091% of the choice 'd' is not one Moodle accepts; written as -10%",
    ]
    assert all(n.question == "w" for n in export.notices)
    assert "// Moodle: question 'w': the weight 35% of the choice 'b'" in export.text
    back = parse_gift(export.text).bank.questions[0]
    assert back.fields["weights"] == {"b": 0.3333333, "c": 0.1, "d": -0.1}


def test_export_snaps_the_implied_weights_of_a_multiple_select():
    choices = [f"c{i}" for i in range(12)]
    q = Question(id="ms", type="multiple_select", fields={"prompt": "P", "choices": choices, "answers": choices[:11]})
    export = export_gift(bank_of(q))
    assert moodle.import_file(export.text)[1]["fraction"] == [0.1] * 11 + [-0.1]
    assert len(export.notices) == 12


def test_export_category_is_not_escaped_since_moodle_never_unescapes_it():
    title = "Maths: {1=2} #1 ~ 50% \\ back/slash"
    category = in_moodle(bank_of(Question(id="q", type="true_false", fields={"prompt": "P", "answer": True}),
                                 title=title))[0]
    assert moodle.split_category_path(category["category"]) == ["$course$", "top", title]
    export = export_gift(bank_of(title=title)).text
    assert '"title"' not in export  # the category alone gives the title back
    assert parse_gift(export + "\nQ{T}\n").bank.title == title


def test_category_of_an_older_quizapp_export_is_still_read_unescaped():
    old = '// [quizapp] {"bank": {"id": "m"}}\n$CATEGORY: Maths\\: Algebra\n\nQ {T}\n'
    assert parse_gift(old).bank.title == "Maths: Algebra"
    # A file from elsewhere is read as Moodle reads it: the path is never unescaped.
    assert parse_gift("$CATEGORY: Maths\\: Algebra\n\nQ {T}\n").bank.title == "Maths\\: Algebra"
    assert moodle.readquestion(["$CATEGORY: Maths\\: Algebra"])["category"] == "Maths&&058; Algebra"


def test_export_plain_choice_with_lt_is_marked_plain_under_a_moodle_format_question():
    q = Question(id="p", type="multiple_choice", fields={"prompt": "Which?", "choices": ["a<b", "c"], "answer": "c"})
    read = in_moodle(bank_of(q))[1]
    assert read["questiontextformat"] == "moodle"
    assert [(a["format"], a["text"]) for a in read["answer"]] == [("plain", "a<b"), ("moodle", "c")]


def test_export_plain_text_with_lt_or_amp_is_marked_plain():
    q = Question(id="p", type="multiple_choice", fields={
        "prompt": "Is 1 < 2 & <b> a tag?", "choices": ["<b>yes</b>", "x & y", "no"], "answer": "no",
        "feedback": {"no": "a &amp; b"}})
    read = in_moodle(bank_of(q))[1]
    assert (read["questiontextformat"], read["questiontext"]) == ("plain", "Is 1 < 2 & <b> a tag?")
    # The question text is [plain], so its choices are plain too unless they say otherwise.
    assert [(a["format"], a["text"]) for a in read["answer"]] == [("plain", "<b>yes</b>"), ("plain", "x & y"),
                                                                  ("plain", "no")]
    assert (read["feedback"][2]["format"], read["feedback"][2]["text"]) == ("plain", "a &amp; b")
    assert parse_gift(export_gift(bank_of(q)).text).bank.questions == [q]


def test_export_writes_exactly_the_escapes_moodle_unescapes():
    text = "All of \\ : # = { } ~ and a\nnew line, but not % [ ] * - > < &"
    q = Question(id="e", type="flashcard", fields={"front": text, "back": "b"})
    export = export_gift(bank_of(q))
    assert "\\\\ \\: \\# \\= \\{ \\} \\~ and a\\nnew line, but not % [ ] * - > < &" in export.text
    assert in_moodle(bank_of(q))[1]["questiontext"] == text


# -- import: stricter or looser than Moodle -------------------------------------------------------


def test_import_a_second_block_after_the_answer_stays_question_text_as_in_moodle():
    text = "What? {=a} and {=b}"
    result = parse_gift(text)
    assert result.ok
    moodle_q = moodle.readquestion([text])
    assert result.bank.questions[0].fields == {"prompt": moodle_q["questiontext"], "answers": ["a"]}
    assert moodle_q["questiontext"] == "What?  and {=b}"
    assert [(n.level, n.line) for n in result.notices] == [("warning", 1)]
    assert "stays in the question text" in result.notices[0].message
    assert one("Grant is {=entombed} in {the} tomb.").fields["prompt"] == moodle.readquestion(
        ["Grant is {=entombed} in {the} tomb."])["questiontext"] == "Grant is _____ in {the} tomb."
    assert one("Q {=a {b}").fields["answers"] == moodle.readquestion(["Q {=a {b}"])["answer"] == ["a {b"]


def test_import_title_is_kept_as_the_questions_title():
    q = one("::Capital of France:: Which city? {=Paris}")
    assert (q.id, q.title) == ("capital-of-france", "Capital of France")
    assert one("// [id:cap]\n::Capital <i>of</i> France::Which?{=Paris}").title == "Capital of France"
    assert one("// [id:cap]\n::cap::Which?{=Paris}").title == ""  # only the id again
    assert one("Which city? {=Paris}").title == ""
    bank = parse_gift("::Capital of France:: Which city? {=Paris}").bank
    assert "title: Capital of France" in dump_yaml(bank)
    assert parse_native(dump_yaml(bank)).bank.questions[0].title == "Capital of France"


def test_import_numerical_wrong_answer_feedback_is_kept_and_shown():
    q = one("Year? {#1822:0#Right! =%50%1822:2#Close. ~#Not even close.}")
    assert q.fields["wrong_feedback"] == "Not even close."
    numeric = get_type("numeric")
    assert numeric.grade(q.fields, {"text": "1900", "value": 1900}).feedback == "Not even close."
    assert numeric.grade(q.fields, {"text": "1823", "value": 1823}).feedback == "Close."
    weighted = parse_gift("Year? {#=1822 =%50%*#Any number}")
    assert weighted.ok and weighted.bank.questions[0].fields["wrong_feedback"] == "Any number"
    assert [n.level for n in weighted.notices] == ["warning"] and "50%" in weighted.notices[0].message


def test_import_matching_with_a_repeated_right_side():
    q = one("Odd or even? {=one -> odd =three -> odd =two -> even}")
    assert q.fields["pairs"] == [["one", "odd"], ["three", "odd"], ["two", "even"]]
    moodle_q = moodle.readquestion(["Odd or even? {=one -> odd =three -> odd =two -> even}"])
    assert moodle_q["subanswers"] == ["odd", "odd", "even"]
    import random
    shown = get_type("matching").present(q.fields, 0, random.Random(1))
    assert sorted(shown["rights"]) == ["even", "odd"]  # offered once, as Moodle does
    assert get_type("matching").grade(q.fields, ["odd", "odd", "even"]).score == 1
    assert not parse_gift("Q {=one -> odd =one -> even}").ok  # a repeated left is still refused


def test_import_inline_html_without_a_format_tag_renders_as_html_sanitised():
    q = one("Name <b>it</b><script>alert(1)</script>\\nnow {=x ~<i>y</i>}")
    assert q.format == "html"
    assert q.fields["prompt"] == "Name <b>it</b><br>now"
    assert q.fields["choices"] == ["x", "<i>y</i>"]
    assert one("Is 1 < 2 & 3 > 2? {T}").format == "plain"  # no tag, no entity: as typed


def test_import_a_file_of_only_categories_says_so():
    result = parse_gift("$CATEGORY: $course$/top/A\n\n$CATEGORY: $course$/top/B\n")
    assert [(e.line, e.message) for e in result.errors] == [
        (None, "has no questions, only $CATEGORY lines (2 categories) (a GIFT question is text "
               "followed by an answer block such as {=right ~wrong})")]


def test_import_questions_before_and_in_the_first_category_keep_their_categories():
    text = ("Before?{T}\n\n$CATEGORY: $course$/top/Physics\n\nIn the first?{T}\n\n"
            "$CATEGORY: $course$/top/Physics/Optics\n\nIn the second?{T}")
    bank = parse_gift(text).bank
    assert bank.title == "Physics"
    assert [q.tags for q in bank.questions] == [[], ["physics"], ["physics", "optics"]]
    # Our own export's category is the bank itself, not a tag.
    assert parse_gift(export_gift(bank).text).bank.questions == bank.questions


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("block", "answer", "tolerance", "shown"), [
    ("{#3.141..3.142}", 3.1415, 0.0005, "3.1415 (± 0.0005)"),
    ("{#3.1415:0.0005}", 3.1415, 0.0005, "3.1415 (± 0.0005)"),
    ("{#0.1..0.2}", 0.15, 0.05, "0.15 (± 0.05)"),
    ("{#1..5}", 3, 2, "3 (± 2)"),
    ("{#3.14159265358979}", 3.14159265358979, 0, "3.14159265358979"),
])
def test_numeric_range_shows_as_written_without_float_noise(block, answer, tolerance, shown):
    q = one(f"Pi? {block}")
    assert (q.fields["answer"], q.fields["tolerance"]) == (answer, tolerance)  # exact, not approx
    assert get_type("numeric").expected(q.fields) == shown
    assert f"answer: {answer}\n" in dump_yaml(parse_gift(f"Pi? {block}").bank)
    assert f"={answer}:{tolerance}" in export_gift(bank_of(q)).text
