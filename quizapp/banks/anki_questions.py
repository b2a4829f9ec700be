"""Anki notes as questions: what each note becomes, what is left out, and the history that comes along.

- A note carrying a ``Quizapp`` field this app wrote (anki_notetypes.py) becomes that question
  again, whatever its type.
- A Basic-like note becomes a flashcard (fields Front/Back, else the first two). A note whose
  cards include a template asking with the back (Basic and reversed, or optional reversed with
  the reverse on) becomes one flashcard with ``reverse: true``: two sibling cards, as in Anki.
- A cloze note becomes a cloze question (Text; Back Extra as ``extra``), nested deletions and all.
- A field named Explanation becomes the explanation; other fields with text are named in a notice.

Field HTML is sanitised, Anki's ``[$]``/``[latex]`` math becomes MathJax (anki_math.py) and
``[sound:...]`` tags are removed (Quizapp plays no sound). A question keeps its note's guid and
id (``anki: {guid, note}``) unless this app wrote the guid, so an export goes back to Anki as the
same notes (Anki matches notes by guid: a new guid would be a copy). Each card's review log is
reduced as Anki reduces it for FSRS (anki_history.py) and kept with the bank, by question and card.

Left out, each with a notice naming it: image occlusion notes, notes without a back or without a
deletion, notes whose note type is missing, and sounds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..domain.questions import REGISTRY, get_type
from .anki_history import Review, reviews_for_fsrs
from .anki_math import mathjax_from_anki
from .anki_notes import deck_tags, decks_title, guid_bank_id, guid_question_id, merge_tags
from .anki_notetypes import DATA_FIELD, decode_data, shown_digest
from .anki_package import Collection, Note, NoteType
from .model import Bank, BankIssue, Question, slugify, unique_ids, validate_question
from .native import question_from_dict
from .sanitize import clean_html, html_to_text

SOUND = re.compile(r"\[sound:([^\]\[]*)\]")
CLOZE_OPEN = re.compile(r"\{\{c[\d,]+::")
QUIZAPP_GUID = re.compile(r"^quizapp:")
NOTICES_PER_REASON = 20  # notices named one by one; past this many, one notice counts the rest


@dataclass
class Notices:
    """What was left out, note by note: each reason's first NOTICES_PER_REASON items by name, then a count."""

    file: str
    items: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)  # reason -> (question, message)

    def add(self, reason: str, question: str | None, message: str) -> None:
        self.items.setdefault(reason, []).append((question, message))

    def issues(self) -> list[BankIssue]:
        out = []
        for reason, found in self.items.items():
            out += [BankIssue(self.file, None, message, question=question, level="skipped")
                    for question, message in found[:NOTICES_PER_REASON]]
            if len(found) > NOTICES_PER_REASON:
                rest = len(found) - NOTICES_PER_REASON
                out.append(BankIssue(self.file, None, f"and {rest} more: {reason}", level="skipped"))
        return out


@dataclass
class _Made:
    questions: list[Question]
    deck: str
    history: list[tuple[Question, int, list[Review]]]
    from_data: bool  # read from a ``Quizapp`` field: its tags are already the question's own


def build_bank(col: Collection, file: str, bank_id: str | None, title: str | None, notices: Notices) -> Bank:
    made: list[_Made] = []
    guids: list[str] = []
    ignored: dict[tuple[str, str], list[str]] = {}
    for note in col.notes:
        one = _note(col, note, notices, ignored)
        if one is not None:
            made.append(one)
            guids.append(note.guid)
    for (notetype, name), ids in ignored.items():
        for qid in ids:
            notices.add(f"fields not imported ({name!r} of note type {notetype!r})", qid,
                        f"the text of field {name!r} (note type {notetype!r}) is not imported: Quizapp has no "
                        "place for it")
    decks = [m.deck for m in made if m.deck]
    if len(set(decks)) > 1:
        for m in made:
            for q in m.questions if not m.from_data else []:
                q.tags = merge_tags(q.tags, deck_tags(m.deck))
    questions = [q for m in made for q in m.questions]
    unique_ids(questions)
    name = title or decks_title(decks) or PurePath(file).stem or "Anki deck"
    description = next((html_to_text(desc) for d, desc in col.decks.values() if d == name and desc), "")
    bank = Bank(id=bank_id or guid_bank_id(guids) or slugify(name, "anki-deck"), title=name, questions=questions,
                description=description)
    for m in made:
        for q, ordinal, reviews in m.history:
            # only for questions that pass validation: a broken one is an error, and has no cards to speak of
            if reviews and not validate_question(q) and ordinal in get_type(q.type).cards(q.fields):
                bank.history[(q.id, ordinal)] = reviews
    return bank


def _note(col: Collection, note: Note, notices: Notices, ignored: dict) -> _Made | None:
    qid = guid_question_id(note.guid)
    nt = col.notetypes.get(note.notetype)
    if nt is None:
        notices.add("notes whose note type is missing from the package", qid,
                    "not imported: the note's note type is missing from the package")
        return None
    cards = col.cards.get(note.id, [])
    deck = col.decks.get(cards[0].deck, ("", ""))[0] if cards else ""
    question = _from_data(nt, note, qid, notices)
    from_data = question is not None
    if question is None:
        question = _from_fields(nt, note, qid, cards, notices, ignored)
        if question is None:
            return None
        question.extra = _anki_extra(note)
    elif not QUIZAPP_GUID.match(note.guid):
        # A copy made in Anki (a new guid, the same Quizapp field): the note it now is, not the original.
        question.extra = {**question.extra, **_anki_extra(note)}
    history = []
    for card in cards:
        ordinal = _ordinal(question, nt, card.ord)
        if ordinal is not None and card.id in col.revlog:
            history.append((question, ordinal, reviews_for_fsrs(col.revlog[card.id])))
    return _Made([question], deck, history, from_data)


def _ordinal(q: Question, nt: NoteType, card_ord: int) -> int | None:
    """Our card for an Anki card: a cloze's card N is Anki's ord N-1; a reversed flashcard's second
    card is the template asking with the back; other types have one card, Anki's first."""
    if q.type == "cloze":
        return card_ord + 1
    if q.type == "flashcard":
        return 1 if card_ord in nt.reverse_ords else (0 if card_ord == min(nt.questions, default=0) else None)
    return 0 if card_ord == min(nt.questions, default=0) else None


def _anki_extra(note: Note) -> dict[str, Any]:
    if QUIZAPP_GUID.match(note.guid):
        return {}  # this app's own guid: the question id gives it back
    anki: dict[str, Any] = {"guid": note.guid}
    if isinstance(note.id, int) and 0 < note.id < 2**53:
        anki["note"] = note.id
    return {"anki": anki}


def _field(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return mathjax_from_anki(clean_html(SOUND.sub("", values[index]))).strip()


def _sounds(note: Note, qid: str, notices: Notices) -> None:
    names = [m.group(1) for v in note.fields for m in SOUND.finditer(v)]
    if names:
        listed = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        notices.add("sounds removed from the text", qid,
                    f"sound{'s' if len(names) > 1 else ''} {listed} removed from the text: Quizapp plays no sound")


def _from_fields(nt: NoteType, note: Note, qid: str, cards, notices: Notices, ignored: dict) -> Question | None:
    values = note.fields
    if nt.cloze:
        if nt.index("occlusion") is not None or any("image-occlusion:" in v for v in values):
            notices.add("image occlusion notes", qid, "image occlusion note not imported: Quizapp cannot show "
                                                      "image occlusions")
            return None
        first_i, second_i = _pick(nt.index("text"), 0), _pick(nt.index("back extra"), 1)
    else:
        first_i, second_i = _pick(nt.index("front"), 0), _pick(nt.index("back"), 1)
    explain_i = nt.index("explanation")
    if second_i == explain_i:
        second_i = None
    first, second, explanation = _field(values, first_i), _field(values, second_i), _field(values, explain_i)
    if nt.cloze and not CLOZE_OPEN.search(first):
        notices.add("cloze notes without a deletion", qid,
                    "cloze note not imported: its text has no deletion such as {{c1::...}}")
        return None
    if not first or (not nt.cloze and not second):
        side = "text" if nt.cloze else ("front" if not first else "back")
        notices.add("notes with an empty front or back", qid, f"note not imported: its {side} is empty")
        return None
    _sounds(note, qid, notices)
    used = {first_i, second_i, explain_i}
    for i, text in enumerate(values):
        if i not in used and i < len(nt.fields) and nt.fields[i] != DATA_FIELD and html_to_text(text):
            ignored.setdefault((nt.name, nt.fields[i]), []).append(qid)
    tags = merge_tags(note.tags.split())
    if nt.cloze:
        return Question(qid, "cloze", {"text": first, **({"extra": second} if second else {})}, explanation,
                        tags=tags, format="html")
    reverse = bool(nt.reverse_ords & {c.ord for c in cards})
    fields: dict[str, Any] = {"front": first, "back": second}
    if reverse:
        fields["reverse"] = True
    return Question(qid, "flashcard", fields, explanation, tags=tags, format="html")


def _pick(index: int | None, default: int) -> int | None:
    return default if index is None else index


def _from_data(nt: NoteType, note: Note, qid: str, notices: Notices) -> Question | None:
    """The question a ``Quizapp`` field holds, with Anki's edits where the type can take them."""
    i = nt.index(DATA_FIELD.lower())
    if i is None or i >= len(note.fields):
        return None
    decoded = decode_data(note.fields[i])
    if decoded is None:
        return None
    raw, digest = decoded
    shown = [note.fields[j] if j < len(note.fields) else "" for j in range(len(nt.fields)) if j != i]
    question = question_from_dict(raw)
    if shown_digest(shown) == digest or question.type not in REGISTRY:
        return question
    # Edited in Anki since the export.
    if question.type in ("flashcard", "cloze"):
        edited = _from_fields(nt, note, question.id, [], notices, {})
        if edited is not None and edited.type == question.type:
            fields = {**question.fields, **edited.fields}
            if question.type == "cloze" and "extra" not in edited.fields:
                fields.pop("extra", None)
            question.fields, question.explanation, question.format = fields, edited.explanation, "html"
            question.tags = merge_tags(note.tags.split())
            return question
    label = get_type(question.type).label.lower()
    notices.add("Anki edits not imported", question.id or qid,
                f"the note was edited in Anki, but a {label} question cannot be rebuilt from its front and back: "
                "Quizapp's version is kept")
    return question
