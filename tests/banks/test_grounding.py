"""Quotes checked against uploaded documents, and found in context for learners."""
from __future__ import annotations

from quizapp.banks.grounding import flag_quotes
from quizapp.banks.model import Question
from quizapp.banks.passages import passages

DOC = ("Title\n\nFirst paragraph about something else entirely.\n\n"
       "In late 1949, Mao went to\nMoscow to seek economic help. He stayed for weeks.\n\nLast one.")


def q(evidence, source=None) -> Question:
    return Question(id="q", type="flashcard", fields={"front": "a", "back": "b"}, evidence=evidence, source=source,
                    line=7)


def test_a_quote_is_shown_inside_its_paragraph_whatever_the_line_breaks():
    [p] = passages(DOC, ["Mao went to Moscow to seek"])
    assert p.segments == (("In late 1949, ", False), ("Mao went to Moscow to seek", True),
                          (" economic help. He stayed for weeks.", False))
    assert p.more_before and p.more_after  # the document goes on both sides
    [missing] = passages(DOC, ["Mao went to Beijing"])
    assert not missing.found and missing.text == "Mao went to Beijing"


def test_long_paragraphs_are_cut_at_word_boundaries():
    text = " ".join(f"word{i}" for i in range(400)) + " THE QUOTE here " + " ".join(f"w{i}" for i in range(400))
    [p] = passages(text, ["THE QUOTE"], radius=50)
    before, quote, after = (t for t, _ in p.segments)
    assert len(before) <= 51 and before.split()[0].startswith("word") and quote == "THE QUOTE"
    assert after.startswith(" here") and len(after) <= 51


def test_unmatched_quotes_are_warnings_with_line_and_field():
    docs = {"memo.txt": DOC}
    sources = {"memo": {"file": "memo.txt"}}
    assert flag_quotes(q(["Mao went to Moscow"], "memo"), sources, docs, "bank.yaml") == []
    [issue] = flag_quotes(q(["Mao went to Washington"], "memo"), sources, docs, "bank.yaml")
    assert (issue.level, issue.line, issue.field, issue.question) == ("warning", 7, "evidence", "q")
    # No source named (a GIFT upload) and one document: that document is meant.
    assert flag_quotes(q(["economic help"]), {}, docs, "x.gift") == []
    # A source whose file was not uploaded is flagged; without documents nothing is checked.
    [missing] = flag_quotes(q(["x" * 20], "other"), {"other": {"file": "other.txt"}}, docs, "bank.yaml")
    assert missing.field == "source"
    assert flag_quotes(q(["anything at all"], "memo"), sources, {}, "bank.yaml") == []
