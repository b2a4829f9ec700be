"""The Type and Data columns of the bank CSV/TSV export: what brings every question type back.

Anki has only flashcards and clozes, so the export shows other types as a Basic note (the prompt
and what the learner picks from on the front, the expected answer on the back; anki_notes.card_sides)
and keeps the question itself beside it: ``Type`` is its type's registry name and ``Data`` its
native fields as JSON (banks.native, without the id and the tags, which have their columns). A
flashcard or cloze whose visible cells read back to the same question leaves ``Data`` empty.

Reading such a row, the visible cells are compared with what the export wrote for the question in
``Data``. Unchanged: the question comes back exactly. Changed in a spreadsheet: a flashcard or cloze
takes the new text (its other fields kept); another type cannot (its choices and answer live in
``Data``), so the row is an error saying where to make the change. A type change is never silent:
the import preview reports it (services/import_changes.py).

The bank's own description, tags and sources ride in one header line, ``#quizapp bank:``, as
base64url JSON: a spreadsheet keeps a cell with no comma, quote or tab as it is.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from typing import Any

from ..domain.questions import get_type
from .anki_notes import REVERSE_SUFFIX, anki_tag, card_sides, note_questions, to_html
from .csv_guard import guard_formula, unguard_formula
from .model import Bank, Question, validate_question, value_problems
from .native import question_from_dict, question_to_dict
from .sanitize import clean_html

TYPE_COLUMN, DATA_COLUMN = "type", "data"
REVERSED = "Basic (and reversed card)"
BANK_KEYS = ("title", "description", "tags", "sources", "extra")


@dataclass
class Cells:
    """The visible cells of one row, as the file holds them (stripped, formula guard still on)."""

    notetype: str
    front: str
    back: str
    explanation: str
    tags: str


def visible(q: Question, as_html: bool, reversed_too: bool = False) -> tuple[str, str, str, str]:
    """(note type, front, back, explanation) as the export writes ``q``."""
    def text(value: Any) -> str:
        return to_html(str(value), q.format) if as_html else str(value)

    if q.type == "cloze":
        return "Cloze", text(q.fields.get("text", "")), text(q.fields.get("extra", "")), text(q.explanation)
    if q.type == "flashcard":
        return (REVERSED if reversed_too else "Basic", text(q.fields.get("front", "")), text(q.fields.get("back", "")),
                text(q.explanation))
    front, back = card_sides(q, as_html)
    return "Basic", front, back, text(q.explanation)


def tags_cell(tags: list[str]) -> str:
    return " ".join(anki_tag(t) for t in tags)


def as_read(value: str) -> str:
    """What the reader finds in a cell the writer filled with ``value`` (guard on, CRs turned into
    newlines, surrounding whitespace gone): how a row is told unchanged since export."""
    return guard_formula(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def twin(q: Question) -> Question:
    """The ``-reverse`` flashcard a "Basic (and reversed card)" row also stands for."""
    return replace(q, id=q.id + REVERSE_SUFFIX, fields={"front": q.fields["back"], "back": q.fields["front"]},
                   evidence=list(q.evidence), tags=list(q.tags), extra=dict(q.extra))


def data_cell(q: Question, as_html: bool, reversed_too: bool) -> str:
    """The Data cell for ``q``: its native fields as JSON, or empty for a flashcard or cloze that the
    visible cells alone read back to."""
    notetype, front, back, explanation = visible(q, as_html, reversed_too)
    if q.type in ("flashcard", "cloze"):
        fmt = "html" if as_html else "plain"
        first, second, why = (v.replace("\r\n", "\n").replace("\r", "\n").strip() for v in (front, back, explanation))
        if as_html:
            first, second, why = clean_html(first), clean_html(second), clean_html(why)
        kind = "cloze" if q.type == "cloze" else ("reversed" if reversed_too else "basic")
        made = note_questions(q.id, kind, first, second, why, tags_cell(q.tags).split(), fmt)
        if made == ([q, twin(q)] if reversed_too else [q]):
            return ""
    data = question_to_dict(q)
    del data["id"], data["type"]
    data.pop("tags", None)
    if tags_cell(q.tags).split() != q.tags:  # tags with spaces, or empty ones: the cell cannot say them
        data["tags"] = list(q.tags)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def bank_header(bank: Bank, deck: str) -> str:
    """The ``#quizapp bank:`` value, or empty when the deck line already says it all (a reader
    takes a spreadsheet's padding of separators off the deck line)."""
    meta = {k: v for k, v in (("title", bank.title if bank.title != deck.rstrip(",;\t|") else None),
                              ("description", bank.description), ("tags", bank.tags),
                              ("sources", bank.sources), ("extra", bank.extra)) if v}
    if not meta:
        return ""
    raw = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# -- reading ----------------------------------------------------------------------------------

def read_bank_header(value: str) -> tuple[dict[str, Any], str | None]:
    """The bank fields of a ``#quizapp bank:`` value, or the reason it cannot be read."""
    word = value.strip()
    try:
        raw = base64.urlsafe_b64decode(word + "=" * (-len(word) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return {}, "is not a bank header this app wrote (base64 JSON); delete the line"
    if not isinstance(data, dict):
        return {}, "must hold a JSON object"
    kinds = {"title": str, "description": str, "tags": list, "sources": dict, "extra": dict}
    for key, value in data.items():
        if key not in kinds or not isinstance(value, kinds[key]):
            return {}, f"holds {key!r}, which is not one of {', '.join(BANK_KEYS)} of the right kind"
    if not all(isinstance(t, str) for t in data.get("tags", [])):
        return {}, "'tags' must be a list of texts"
    return data, None


def parse_data(cell: str) -> tuple[dict[str, Any] | None, str | None]:
    """The fields in a Data cell, or the reason it cannot be read."""
    try:
        data = json.loads(cell)
    except json.JSONDecodeError as exc:
        return None, f"is not valid JSON: {exc.msg} (character {exc.pos + 1})"
    except RecursionError:
        return None, "is not valid JSON: nested too deeply"
    if not isinstance(data, dict):
        return None, "must hold a JSON object of the question's fields"
    return data, None


@dataclass
class Restored:
    """What a typed row gives: the questions, or (``edited``) a flashcard or cloze whose visible
    cells were changed, to be read from them, keeping the fields they do not show."""

    questions: list[Question]
    edited: Question | None = None
    invalid: bool = False  # validate_bank will say why; nothing else may read its text


def restore(qtype: str, data: dict[str, Any], qid: str, line: int, cells: Cells, as_html: bool
            ) -> tuple[Restored | None, tuple[str, str] | None]:
    """The row's questions from its Data, checked against its visible cells; or (column, message)."""
    label = get_type(qtype).label
    q = question_from_dict({**data, "id": qid, "type": qtype}, line)
    # Tags are the Tags cell's, unless Data holds some the cell cannot say (with spaces) and the
    # cell is as the export wrote it.
    if "tags" not in data or not isinstance(q.tags, list) or as_read(tags_cell(q.tags)) != cells.tags:
        q.tags = unguard_formula(cells.tags).split()
    reversed_too = q.type == "flashcard" and cells.notetype == REVERSED
    if value_problems(question_to_dict(q)) or validate_question(q):
        return Restored([q], invalid=True), None  # validate_bank reports what is wrong, field by field
    written = visible(q, as_html, reversed_too)
    found = (cells.notetype, cells.front, cells.back, cells.explanation)
    changed = [name for name, w, f in zip(("Notetype", "Front", "Back", "Explanation"), written, found, strict=True)
               if as_read(w) != f]
    if not changed:
        return Restored([q, twin(q)] if reversed_too else [q]), None
    if qtype in ("flashcard", "cloze"):
        return Restored([], edited=q), None
    if changed == ["Explanation"] and q.format == ("html" if as_html else "plain"):
        explanation = unguard_formula(cells.explanation)
        q.explanation = clean_html(explanation) if as_html else explanation
        return Restored([q]), None
    what = ", ".join(f for f in get_type(qtype).answer_fields if f in q.fields) or "fields"
    return None, (changed[0], f"this {label.lower()} question's {changed[0]} cell differs from what the export "
                              f"wrote: its {what} are read from the Data cell, so make the change there (or "
                              "clear the Type and Data cells to import the row as a flashcard)")

