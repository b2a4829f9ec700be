"""CSV/TSV question sets: Anki's text files, Quizlet's exports, any spreadsheet of cards; and the
bank CSV/TSV export.

Reading (``parse_delimited``) takes one of two shapes:
- a table (Anki, spreadsheets, Quizlet's Tab or Comma export): Anki's header lines, a field
  separator given, declared or detected (tab, comma, semicolon, pipe), quoted fields
  (delimited_scan.scan), rows turned into questions by anki_text.build_bank;
- Quizlet's custom export: any text between term and definition and any text (``;``, a blank
  line, ...) between cards (delimited_scan.scan_cards), chosen by the teacher since nothing in
  such a file says what they are.
Either way bad input gives errors with their lines, never an exception, in time linear in the file
with every field, row and file size capped (delimited_scan).

Writing (``dump_csv``, ``dump_tsv``): the header form Anki itself exports (``#separator``, ``#html``,
``#deck``, column pointers, ``#columns``), so Anki imports the file as notes, plus this app's
``Type`` and ``Data`` columns and ``#quizapp bank:`` line, so that every question type, and the
bank's description, tags and sources, come back here as they were (typed_rows.py). Cells a
spreadsheet would run as formulas are guarded (csv_guard.py). Questions' ids travel in the GUID
column (``quizapp:<bank>/<question>``), so a re-import updates the same questions.
"""
from __future__ import annotations

import re

from .anki_notes import (  # noqa: F401  (re-exported: callers from before anki_notes.py import them from here)
    CLOZE_MARK,
    anki_tag,
    card_sides,
    deck_tags,
    decks_title,
    guid_bank_id,
    guid_question_id,
    merge_tags,
    note_questions,
    pair_reverses,
    quizapp_guid,
    text_question_id,
    to_html,
)
from .anki_text import SEPARATORS, Header, build_bank, read_header  # noqa: F401  (SEPARATORS re-exported)
from .csv_guard import guard_formula, unguard_formula  # noqa: F401  (re-exported)
from .delimited_scan import (
    BLANK_LINE,
    MAX_ERRORS,
    decode,
    detect_separator,
    sample_lines,
    scan,
    scan_cards,
)
from .limits import DEFAULT_LIMITS, Limits, size_text
from .model import Bank, BankIssue, ParseResult, validate_bank
from .typed_rows import bank_header, data_cell, tags_cell, visible

__all__ = ["CARD_SEPARATORS", "FIELD_SEPARATORS", "detect_separator", "dump_csv", "dump_tsv", "parse_delimited",
           "separator_option"]

# The choices of Quizlet's export dialog, by name; any other text is taken as it is.
FIELD_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
CARD_SEPARATORS = {"newline": "\n", "semicolon": ";", "blank-line": BLANK_LINE}
COLUMNS = ("GUID", "Notetype", "Front", "Back", "Explanation", "Tags", "Type", "Data")
MAX_SEPARATOR_CHARS = 20
_ESCAPE = re.compile(r"\\([\\tn])")
_ESCAPES = {"\\": "\\", "t": "\t", "n": "\n"}


def separator_option(value: str, names: dict[str, str], what: str = "") -> str:
    """A separator the teacher gave by name (``tab``, ``blank-line``...) or as text, where ``\\t``,
    ``\\n`` and ``\\\\`` stand for a tab, a newline and a backslash. ValueError says what is wrong."""
    key = re.sub(r"[\s_-]", "", value.lower())  # "New line", "new-line", "newline" alike
    named = next((text for name, text in names.items() if name.replace("-", "") == key), None)
    if named is not None and value.strip():
        return named
    text = _ESCAPE.sub(lambda m: _ESCAPES[m[1]], value)
    label = f"the separator {what}".strip()
    if not text:
        raise ValueError(f"{label} is empty")
    if len(text) > MAX_SEPARATOR_CHARS:
        raise ValueError(f"{label} is longer than {MAX_SEPARATOR_CHARS} characters")
    if text == '"':
        raise ValueError(f"{label} cannot be '\"': it quotes fields")
    return text


def parse_delimited(data: str | bytes, file: str = "cards.csv", bank_id: str | None = None,
                    title: str | None = None, separator: str | None = None, card_separator: str | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Cards from an Anki text file, a spreadsheet or a Quizlet export. ``separator`` forces the
    field separator; ``card_separator`` other than a newline (or a separator longer than one
    character) reads Quizlet's custom export: cards cut by it, term and definition at the first
    ``separator`` (tab when not given), nothing quoted."""
    if isinstance(data, str):
        # The size in UTF-8 without encoding a copy when the length alone settles it.
        size = len(data) if data.isascii() or 4 * len(data) <= limits.max_upload_bytes else \
            len(data.encode("utf-8", "surrogatepass"))
    else:
        size = len(data)
    if size > limits.max_upload_bytes:
        return ParseResult(None, [BankIssue(file, None, f"the file is {size_text(size)} "
                                                        f"(limit {size_text(limits.max_upload_bytes)})")])
    text, errors = decode(data, file)
    if text is None:
        return ParseResult(None, errors)
    notices: list[BankIssue] = []
    comments: list[tuple[int, int]] = []
    custom = (card_separator not in (None, "\n")) or (separator is not None and len(separator) > 1)
    if custom:
        sep, cards = separator or "\t", card_separator or "\n"
        if sep == cards or (cards == BLANK_LINE and sep == "\n"):
            return ParseResult(None, [BankIssue(file, None, "the separators between term and definition and "
                                                            "between cards must differ")])
        head = Header(separator=sep)
        rows = scan_cards(text, sep, cards, file, errors)
    else:
        head = read_header(text, file, errors)
        if separator:
            head.separator = separator
        if head.separator is None:
            head.separator = detect_separator(sample_lines(text, head.pos)) or "\t"
        rows = scan(text, head.separator, file, errors, head.pos, head.line, comments)
    bank = build_bank(rows, head, file, bank_id, title, errors, notices, comments)
    errors += validate_bank(bank, file)
    errors.sort(key=lambda e: e.line or 0)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [BankIssue(file, None, f"... and {more} more errors")]
    return ParseResult(None if errors else bank, errors, notices, partial=bank)


# -- writing ----------------------------------------------------------------------------------

def _quote(value: str, sep: str) -> str:
    value = guard_formula(value)
    if any(c in value for c in '"\n\r') or sep in value or value.startswith("#"):
        return '"' + value.replace('"', '""') + '"'
    return value


def dump_delimited(bank: Bank, sep: str) -> str:
    """The bank as an Anki text file separated by ``sep`` (comma or tab), with Anki's header lines
    and this app's Type and Data columns."""
    as_html = any(q.format != "plain" for q in bank.questions)
    deck = " ".join(bank.title.split())
    out = [f"#separator:{'Comma' if sep == ',' else 'Tab'}", f"#html:{'true' if as_html else 'false'}",
           f"#deck:{deck}", "#guid column:1", "#notetype column:2", "#tags column:6"]
    meta = bank_header(bank, deck)
    if meta:
        out.append(f"#quizapp bank:{meta}")
    out.append("#columns:" + sep.join(COLUMNS))
    for q, reversed_too in pair_reverses(bank.questions):
        notetype, front, back, explanation = visible(q, as_html, reversed_too)
        cells = [quizapp_guid(bank.id, q.id), notetype, front, back, explanation, tags_cell(q.tags), q.type,
                 data_cell(q, as_html, reversed_too)]
        out.append(sep.join(_quote(c, sep) for c in cells))
    return "\n".join(out) + "\n"


def dump_csv(bank: Bank) -> str:
    """Comma-separated: what spreadsheets open (and Anki imports)."""
    return dump_delimited(bank, ",")


def dump_tsv(bank: Bank) -> str:
    """Tab-separated: what Anki itself exports."""
    return dump_delimited(bank, "\t")

