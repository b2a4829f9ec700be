"""Banks written as Anki packages (genanki, schema 11, which every Anki version reads).

Each question is one note: a flashcard a Basic note (Basic and reversed when it has
``reverse: true``), a cloze a Cloze note, any other type a "Question" note showing the prompt and
what to pick from on the front and the expected answer on the back. Every note also carries the
question itself in its ``Quizapp`` field (anki_notetypes.py), so importing the package here gives
the same questions back, types and all.

A question that came from Anki keeps its note's guid and id (``anki: {guid, note}``): Anki matches
notes by guid, so the export updates the notes a learner already has instead of adding copies.
Other questions get ``quizapp:<bank id>/<question id>``, stable across exports for the same
reason. The deck id is a hash of the bank id. The deck is named after the bank and carries its
description; the bank's own tags and sources have no place in Anki and are not written.
"""
from __future__ import annotations

import html
import io
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from functools import cached_property
from pathlib import Path
from typing import Any

import genanki

from ..domain.questions.cloze import ordinals_of
from .anki_notes import anki_tag, card_sides, quizapp_guid, to_html
from .anki_notetypes import BASIC, CLOZE, QUESTION, REVERSED, encode_data, stable_id
from .limits import media_name_problem
from .model import Bank, Question
from .native import question_to_dict

MAX_NOTE_ID = 2**53


class _Note(genanki.Note):
    """A note written with a given note id (the one it had in Anki), and a cloze note's cards read
    as Anki reads its deletions (nested and ``{{c1,2::...}}`` ones too)."""

    def __init__(self, *args: Any, note_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_id = note_id

    @cached_property
    def cards(self):
        if self.model.model_type == genanki.Model.CLOZE:
            return [genanki.Card(n - 1) for n in ordinals_of(self.fields[0])] or [genanki.Card(0)]
        return super().cards

    def write_to_db(self, cursor, timestamp: float, deck_id, id_gen):
        ids = itertools.chain([self.note_id], id_gen) if self.note_id is not None else id_gen
        super().write_to_db(cursor, timestamp, deck_id, ids)


def _shown(q: Question) -> tuple[genanki.Model, list[str]]:
    """The note type and the fields Anki shows."""
    explanation = to_html(q.explanation, q.format)
    if q.type == "cloze":
        return CLOZE, [to_html(str(q.fields.get("text", "")), q.format),
                       to_html(str(q.fields.get("extra", "")), q.format), explanation]
    if q.type == "flashcard":
        model = REVERSED if q.fields.get("reverse") is True else BASIC
        return model, [to_html(str(q.fields.get("front", "")), q.format), to_html(str(q.fields.get("back", "")),
                                                                                   q.format), explanation]
    front, back = card_sides(q, as_html=True)
    return QUESTION, [front, back, explanation]


def _identity(bank: Bank, q: Question) -> tuple[str, int | None]:
    """The note's guid and id: its own from Anki when it came from there."""
    anki = q.extra.get("anki") if isinstance(q.extra.get("anki"), dict) else {}
    guid = anki.get("guid")
    note = anki.get("note")
    guid = guid if isinstance(guid, str) and guid.strip() else quizapp_guid(bank.id, q.id)
    note = note if isinstance(note, int) and not isinstance(note, bool) and 0 < note < MAX_NOTE_ID else None
    return guid, note


def dump_apkg(bank: Bank, now: float | None = None) -> bytes:
    """The bank as an .apkg that Anki imports.

    ``now`` (seconds since the epoch) stamps the notes: Anki updates a note it already has
    only from a copy stamped later, so it defaults to the current time."""
    names = sorted(bank.media)
    for name in names:
        problem = media_name_problem(name)
        if problem:
            raise ValueError(f"media file name {name!r} {problem}")
    deck = genanki.Deck(stable_id("deck", bank.id), bank.title, description=html.escape(bank.description))
    guids: set[str] = set()
    note_ids: set[int] = set()
    for q in bank.questions:
        model, shown = _shown(q)
        guid, note_id = _identity(bank, q)
        if guid in guids:  # two questions claiming one Anki note (a copy edited here): the copy is new
            guid, note_id = quizapp_guid(bank.id, q.id), None
        if note_id in note_ids:
            note_id = None
        guids.add(guid)
        if note_id is not None:
            note_ids.add(note_id)
        deck.add_note(_Note(model=model, fields=[*shown, encode_data(question_to_dict(q), shown)], guid=guid,
                            tags=[t for t in (anki_tag(t) for t in q.tags) if t], note_id=note_id))
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA synchronous = OFF")  # a scratch file: no fsync
            conn.execute("PRAGMA journal_mode = MEMORY")
            now = time.time() if now is None else now
            # Generated ids start above every kept note id, so the two never meet.
            start = max(int(now * 1000), max(note_ids, default=0) + 1)
            genanki.Package(deck).write_to_db(conn.cursor(), now, itertools.count(start))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", json.dumps({str(n): name for n, name in enumerate(names)}))
            for n, name in enumerate(names):
                archive.writestr(str(n), bank.media[name])
    return out.getvalue()
