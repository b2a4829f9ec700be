"""formats.detect: a table of cards whose text holds braces is read as CSV/TSV, not as one GIFT
question; GIFT files (Moodle's own fixtures, one question or many) stay GIFT; separators given by
the teacher make "auto" mean CSV."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from quizapp.banks import formats


def shared_gift() -> Path:
    root = Path(os.environ.get("QUIZAPP_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")
    return root / "conformance" / "gift"


BRACES_TSV = ("empty set\t{ }\n"
              "set builder\t{x | x > 0}\n"
              "dict\td = {'a': 1}\n"
              "GIFT-looking\t{=yes ~no}\n"
              "true?\t{T}\n")


@pytest.mark.parametrize(("text", "cards"), [
    (BRACES_TSV, 5),
    (BRACES_TSV.replace("\t", ","), 5),
    (BRACES_TSV.replace("\t", ";"), 5),
    ("union\t{1, 2} ∪ {3}\n\nempty\t{}\n", 2),  # a blank line between rows: tabs still say table
    ("::scope::\t{=C++ operator}\n::x::\tglobal x\n", 2),  # GIFT-like titles, but a tab on every line
    ("set\t{=a}\n", 1),
    ("der Hund,the dog, a pet {=x}\ndie Katze,the cat\n", 2),  # comma counts differ: still a table
    ('"a, {=b}",c\n"d\n{e}",f\n', 2),  # quoted fields, one over two lines
])
def test_a_table_of_cards_with_braces_is_csv_not_one_gift_question(text, cards):
    data = text.encode()
    assert formats.detect(data, "pasted.txt") == "csv"
    result = formats.parse(data, "pasted.txt")
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.bank.questions) == cards
    assert all(q.type == "flashcard" for q in result.bank.questions)


@pytest.mark.parametrize("text", [
    # One-line questions separated by blank lines, each with one comma: GIFT, not a comma table.
    "Mao went to Moscow, in 1949.{T}\n\nStalin died in 1953, in Moscow.{T}\n",
    # A question title marks GIFT even when every line has a comma.
    "::q1:: Who, when? {=Mao, 1949 ~Chiang, 1949}\n::q2:: Where, why? {=x, y}\n",
    "$CATEGORY: a, b\n\nQ, one? {=a, b}\n",
    "Who led the KMT? { =Chiang Kai-shek }\n",
    "Grant is {~buried =entombed ~living} in Grant's tomb.\n",
])
def test_gift_stays_gift(text):
    assert formats.detect(text.encode(), "questions.txt") == "gift"


def test_a_gift_file_name_breaks_the_tie_for_a_comma_table_but_not_for_tabs():
    comma = b"a, {=b}\nc, {=d}\n"
    assert formats.detect(comma, "quiz.gift") == "gift" and formats.detect(comma, "quiz.txt") == "csv"
    assert formats.detect(b"a\t{=b}\nc\t{=d}\n", "quiz.gift") == "csv"


def test_moodles_gift_fixtures_whole_and_question_by_question_stay_gift():
    folder = shared_gift()
    if not folder.exists():
        pytest.skip("../shared is not present")
    files = sorted(p for p in folder.glob("*.txt") if p.name != "SOURCES.txt")
    assert files
    blocks = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert formats.detect(text.encode(), path.name) == "gift", path.name
        for block in re.split(r"\n\s*\n", text):
            if "{" in block and not all(line.startswith("//") for line in block.splitlines()):
                blocks += 1
                assert formats.detect(block.encode(), "block.txt") == "gift", block
    assert blocks > 20


def test_a_head_cut_mid_line_is_judged_on_its_whole_lines():
    rows = "".join(f"term {n}\t{{definition {n}}}\n" for n in range(6000))  # more than the 64 KB looked at
    assert len(rows.encode()) > formats.HEAD_BYTES
    assert formats.detect(rows.encode(), "big.txt") == "csv"


def test_separators_given_make_auto_mean_csv_and_other_formats_refuse_them():
    data = b"un - {one}\ndeux - {two}\n"
    result = formats.parse(data, "pasted.txt", separator=" - ")
    assert result.ok and [q.fields["back"] for q in result.bank.questions] == ["{one}", "{two}"]
    refused = formats.parse(b"Q? {=a ~b}\n", "q.gift", "gift", separator=";")
    assert refused.bank is None and "separators are for CSV/TSV files" in refused.errors[0].message


def test_utf16_reaches_the_csv_reader_through_the_upload_entry_point():
    data = "un\tone\ndeux\ttwo\n".encode("utf-16")
    result = formats.parse(data, "excel.txt", "csv")
    assert result.ok and len(result.bank.questions) == 2
