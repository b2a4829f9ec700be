"""Quizlet exports with each choice of its export dialog ("Between term and definition: Tab / Comma /
Custom", "Between rows: New line / Semicolon / Custom"), text with braces, commas and quotes in it,
and the first rows spreadsheets and Quizlet users add (``term,definition``)."""
from __future__ import annotations

import pytest

from quizapp.banks import formats
from quizapp.banks.delimited import CARD_SEPARATORS, FIELD_SEPARATORS, parse_delimited, separator_option

# Cards as a teacher writes them in Quizlet: braces (set notation, code), commas, quotes, colons.
CARDS = [
    ("empty set", "{ }"),
    ("set builder", "{x | x > 0}, read 'the set of x such that'"),
    ("dict literal", 'd = {"a": 1}'),
    ("der Hund", "the dog, a pet"),
    ("GIFT-looking", "{=yes ~no}"),
]


def quizlet_export(cards, term_sep: str, row_sep: str, trailing: bool = False) -> str:
    """What Quizlet's export box holds: term, separator, definition, row separator; nothing quoted."""
    return row_sep.join(f"{t}{term_sep}{d}" for t, d in cards) + (row_sep if trailing else "")


def read(text: str, **options):
    result = parse_delimited(text, "quizlet.txt", **options)
    assert result.errors == [], [str(e) for e in result.errors]
    return [(q.fields["front"], q.fields["back"]) for q in result.bank.questions], result.notices


TERM_CHOICES = {"tab": "\t", "comma": ",", "custom ' - '": " - ", "custom ': '": ": ", "custom '|'": "|"}
ROW_CHOICES = {"new line": "\n", "semicolon": ";", "custom blank line": "\n\n", "custom '###'": "###"}


@pytest.mark.parametrize("trailing", [False, True], ids=["", "trailing-row-separator"])
@pytest.mark.parametrize("row", list(ROW_CHOICES))
@pytest.mark.parametrize("term", list(TERM_CHOICES))
def test_every_separator_choice_of_quizlets_export_dialog(term, row, trailing):
    term_sep, row_sep = TERM_CHOICES[term], ROW_CHOICES[row]
    cards = [(t, d) for t, d in CARDS if row_sep not in d and term_sep not in t]
    text = quizlet_export(cards, term_sep, row_sep, trailing)
    got, _ = read(text, separator=separator_option(term.removeprefix("custom ").strip("'"), FIELD_SEPARATORS),
                  card_separator=separator_option(row.removeprefix("custom ").strip("'").replace("\n", "\\n"),
                                                  CARD_SEPARATORS))
    assert got == cards


def test_the_separators_by_name_as_the_form_and_the_command_take_them():
    assert separator_option("Tab", FIELD_SEPARATORS) == "\t"
    assert separator_option("comma", FIELD_SEPARATORS) == ","
    assert separator_option(" - ", FIELD_SEPARATORS) == " - "  # custom text keeps its spaces
    assert separator_option("\\t-\\t", FIELD_SEPARATORS) == "\t-\t"
    assert separator_option("New line", CARD_SEPARATORS) == "\n"
    assert separator_option("blank line", CARD_SEPARATORS) == separator_option("\\n\\n", CARD_SEPARATORS)
    assert separator_option("a\\\\nb", CARD_SEPARATORS) == "a\\nb"  # an escaped backslash stays one
    for bad, message in (("", "is empty"), ("x" * 21, "longer than 20"), ('"', "quotes fields")):
        with pytest.raises(ValueError, match=message):
            separator_option(bad, FIELD_SEPARATORS)


@pytest.mark.parametrize("term_sep", ["\t", ","])
def test_tab_and_comma_exports_need_no_option(term_sep):
    cards = [(t, d) for t, d in CARDS if term_sep not in t]
    text = quizlet_export(cards, term_sep, "\n") + "\n"
    assert formats.detect(text.encode(), "pasted.txt") == "csv"
    result = formats.parse(text.encode(), "pasted.txt")
    assert result.ok, [str(e) for e in result.errors]
    assert [(q.fields["front"], q.fields["back"]) for q in result.bank.questions] == cards


def test_a_comma_export_keeps_the_commas_of_a_definition_with_a_notice():
    """Quizlet quotes nothing: in a two-column comma file, text after the first comma is the back."""
    got, notices = read("der Hund,the dog, a pet\ndie Katze,the cat\ndas Haus,a house, home, shelter\n")
    assert got == [("der Hund", "the dog, a pet"), ("die Katze", "the cat"), ("das Haus", "a house, home, shelter")]
    assert [(n.line, n.level) for n in notices] == [(1, "notice")]
    assert notices[0].message.startswith("2 rows have more than one comma (the first on this line)")


@pytest.mark.parametrize("text", [
    'der Hund,"the dog, a pet"\n',
    'der Hund, "the dog, a pet"\n',  # a space after the comma, then the quote
    'der Hund,"the dog, a pet"  \n',
    '"der Hund","the dog, a pet"\n',
])
def test_a_comma_inside_a_quoted_definition_does_not_cut_it(text):
    got, notices = read(text + "die Katze,the cat\n")
    assert got == [("der Hund", "the dog, a pet"), ("die Katze", "the cat")]
    assert notices == []


def test_a_custom_term_separator_cuts_at_its_first_occurrence_only():
    got, _ = read("un - one\ndeux - two - zwei\n", separator=" - ")
    assert got == [("un", "one"), ("deux", "two - zwei")]


def test_cards_separated_by_blank_lines_keep_their_line_breaks_and_lines():
    text = "photosynthesis\tsugar from light,\nwater and CO2\n\n\n  \nmitosis\tcell division\n"
    result = parse_delimited(text, "q.txt", separator="\t", card_separator=separator_option("blank-line",
                                                                                             CARD_SEPARATORS))
    assert [(q.fields["back"], q.line) for q in result.bank.questions] == [
        ("sugar from light,\nwater and CO2", 1), ("cell division", 6)]


def test_quizlet_rows_separated_by_semicolons_name_the_line_of_each_card():
    result = parse_delimited("un\tone;deux\ttwo;\ntrois\tthree;", "q.txt", card_separator=";")
    assert [(q.fields["front"], q.line) for q in result.bank.questions] == [("un", 1), ("deux", 1), ("trois", 2)]


def test_a_card_without_its_separator_is_an_error_on_its_line():
    result = parse_delimited("un - one\ndeux two\n", "q.txt", separator=" - ")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "the row has no back: found one field where two were expected (fields are separated by ' - ')")]


def test_equal_separators_are_refused():
    result = parse_delimited("a;b;c;d", "q.txt", separator=";", card_separator=";")
    assert result.bank is None and "must differ" in result.errors[0].message


# -- a first row naming the columns ---------------------------------------------------------------

@pytest.mark.parametrize("header", [
    "front,back", "Front,Back", "term,definition", "Term,Definition", "question,answer", "Question,Answer",
    "front,back,tags", "GUID,Notetype,Front,Back,Explanation,Tags,Type,Data", "text,extra",
])
def test_a_header_row_names_the_columns_and_is_not_a_question(header):
    names = header.lower().split(",")
    row = {"front": "chien", "term": "chien", "question": "chien", "text": "{{c1::chien}} dort", "back": "dog",
           "definition": "dog", "answer": "dog", "extra": "dog", "tags": "animals", "notetype": "Basic",
           "guid": "g1", "explanation": "", "type": "", "data": ""}
    if "text" in names:
        row["notetype"] = "Cloze"
    result = parse_delimited(header + "\n" + ",".join(row[n] for n in names) + "\n", "cards.csv")
    assert result.errors == []
    q, = result.bank.questions
    assert q.line == 2
    assert list(q.fields.values())[:2] in (["chien", "dog"], ["{{c1::chien}} dort", "dog"])
    assert "read as the names of the columns" in result.notices[0].message


def test_a_first_row_that_only_looks_like_names_is_a_card():
    result = parse_delimited("front door,back door\nup,down\n", "cards.csv")
    assert len(result.bank.questions) == 2 and result.notices == []


def test_header_columns_in_another_order_are_followed():
    result = parse_delimited("definition\tterm\nthe dog\tder Hund\n", "cards.tsv")
    assert result.bank.questions[0].fields == {"front": "der Hund", "back": "the dog"}
