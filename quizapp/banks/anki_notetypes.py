"""The note types Quizapp writes to Anki, and the ``Quizapp`` field that brings a question back.

Every exported note carries, besides what Anki shows (Front/Back or Text/Back Extra, and the
Explanation), a ``Quizapp`` field no template shows: the question as Quizapp stores it (JSON,
ASCII-only and HTML-escaped so Anki's Unicode normalisation and its editor leave it alone), and a
digest of the shown fields as written. Reading such a note back (anki_notes.py) gives the same
question, type and all (a multiple choice stays a multiple choice, a Markdown text stays
Markdown). If the shown fields no longer match the digest, the note was edited in Anki: a
flashcard or cloze then takes the edited text, any other type keeps its Quizapp form (a notice
says so), since a front and a back cannot say what the choices or the accepted answers are.

The four note types are shared by every bank (ids hashed from fixed names), so exports do not pile
up note types in a learner's collection. Version 2 added the ``Quizapp`` field; Anki treats it
as a note type of its own, so notes exported by version 1 are left as they are.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from typing import Any

import genanki

DATA_FIELD = "Quizapp"
DATA_VERSION = 1
_TAG = re.compile(r"<[^<>]*>")


def stable_id(*parts: str) -> int:
    """A deck or note type id from names: the same for every export (below 2**53, safe in JavaScript)."""
    digest = hashlib.sha256("\x1f".join(("quizapp",) + parts).encode()).digest()
    return (1 << 40) + int.from_bytes(digest[:8], "big") % (1 << 52)


_CSS = (".card { font-family: arial; font-size: 20px; text-align: center; color: black; background-color: white; }\n"
        ".explanation { margin-top: 1em; font-size: 16px; }")
_EXPLAIN = "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}"
_DATA = {"name": DATA_FIELD, "collapsed": True, "excludeFromSearch": True,
         "description": "Quizapp's copy of this question (type, answers, sources): keep it, and the question "
                        "comes back to Quizapp whole."}


def _fields(*names: str) -> list[dict[str, Any]]:
    return [{"name": n} for n in names] + [dict(_DATA)]


def _model(key: str, name: str, fields: list[str], templates: list[dict[str, str]], **options) -> genanki.Model:
    return genanki.Model(stable_id("model", key, "2"), name, fields=_fields(*fields), templates=templates,
                         css=_CSS + options.pop("css", ""), **options)


_CARD = {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXPLAIN}
BASIC = _model("basic", "Basic (quizapp)", ["Front", "Back", "Explanation"], [_CARD])
REVERSED = _model("reversed", "Basic and reversed (quizapp)", ["Front", "Back", "Explanation"], [
    _CARD, {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _EXPLAIN}])
CLOZE = _model("cloze", "Cloze (quizapp)", ["Text", "Back Extra", "Explanation"], [
    {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}" + _EXPLAIN}],
    css="\n.cloze { font-weight: bold; color: blue; }", model_type=genanki.Model.CLOZE)
# Types Anki lacks (multiple choice, short answer, numeric, ordering, matching, ...): the prompt and
# what to pick from on the front, the expected answer on the back.
QUESTION = _model("question", "Question (quizapp)", ["Front", "Back", "Explanation"], [_CARD])


def shown_digest(values: list[str]) -> str:
    """A digest of the fields Anki shows, as Anki keeps them (it normalises text to NFC)."""
    text = "\x1f".join(unicodedata.normalize("NFC", v).strip() for v in values)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_data(question: dict[str, Any], shown: list[str]) -> str:
    data = {"quizapp": DATA_VERSION, "question": question, "shown": shown_digest(shown)}
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"), default=str)
    return html.escape(text, quote=False)


def decode_data(value: str) -> tuple[dict[str, Any], str] | None:
    """(the question dict, the digest of the shown fields) from a ``Quizapp`` field, or None when
    the field holds nothing this app wrote."""
    if "quizapp" not in value:
        return None
    try:
        data = json.loads(html.unescape(_TAG.sub("", value)).strip())
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("quizapp") != DATA_VERSION or not isinstance(data.get("question"), dict):
        return None
    return data["question"], str(data.get("shown") or "")
