"""Anki packages (.apkg, also .colpkg) read into banks, and banks written as .apkg.

Reading handles every package layout Anki has written (../shared/docs/interchange-formats.md):
``collection.anki21b`` (zstd SQLite, schema 18; media map a zstd protobuf, media files zstd),
else ``collection.anki21``, else ``collection.anki2`` (schema 11; media map JSON). The archive
passes limits.py first; the SQLite file is written to a private temporary directory and opened
read-only and immutable with the schema untrusted, a time limit, and only plain tables read.

A Basic-like note becomes a flashcard (fields Front/Back, else the first two); a note whose
cards include a template asking with the back (Basic and reversed, or optional reversed with
the reverse on) also becomes the reversed flashcard ``<id>-reverse``; a cloze note becomes a
cloze question (Text, Back Extra as ``extra``). A field named Explanation becomes the
explanation; other fields with text are reported as not imported. Field HTML is sanitised.
Question ids come from note guids. The bank is titled after the deck, or after the deck all
the notes' decks share (that deck's description becomes the bank's); when notes sit in several
decks each question is tagged with its deck path (``Parent::Child`` -> ``parent``,
``parent-child``), since the bank itself has no sub-decks. Only images referenced by
``<img src>`` are kept. Left out, with a notice: image occlusion notes, notes without a back
or without a deletion, and sounds (``[sound:...]`` tags are removed from the text).

Writing uses genanki: flashcards as Basic notes (a flashcard and its ``-reverse`` twin as one
Basic-and-reversed note), cloze as Cloze notes, other types as Basic notes with the prompt and
its choices on the front and the expected answer on the back (these come back as flashcards).
The deck is named after the bank and carries its description; the bank's own tags and
sources, and questions' source, evidence and difficulty, have no place in Anki and are not
written. Guids are ``quizapp:<bank id>/<question id>`` and the deck id is a hash of the bank id, so a
re-export updates the notes already in Anki instead of adding copies, and a re-import here
finds the same question ids. The three note types are shared by all banks (ids hashed from
fixed names) so that exports do not pile up note types in a learner's collection.
"""
from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath
from typing import Any

import genanki

from .delimited import (
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
    to_html,
)
from .limits import (
    DEFAULT_LIMITS,
    ZSTD_MAGIC,
    ArchiveError,
    Limits,
    media_name_problem,
    open_zip,
    read_member,
    zstd_decompress,
)
from .model import Bank, BankIssue, ParseResult, Question, slugify, unique_ids, validate_bank
from .sanitize import clean_html, html_to_text

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
SQLITE_MAGIC = b"SQLite format 3\x00"
SQL_SECONDS = 20.0  # reading a package's collection may take no longer than this
IMG_SRC = re.compile(r"<img\b[^>]*?\ssrc=\"([^\"]*)\"", re.IGNORECASE)
SOUND = re.compile(r"\[sound:[^\]]*\]")
TEMPLATE_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
META_LATEST = 3  # PackageMetadata.Version.LATEST: zstd media


# -- protobuf, by hand: only varints and length-delimited fields are needed ----------------------

def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated or oversized varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def proto_fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs of one protobuf message; ValueError when it is malformed."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, pos = buf[pos : pos + width], pos + width
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated protobuf message")
        out.append((number, value))
    return out


def _proto_get(buf: Any, number: int, default: Any = None) -> Any:
    if not isinstance(buf, bytes):
        return default
    for n, value in proto_fields(buf):
        if n == number:
            return value
    return default


# -- the collection ------------------------------------------------------------------------------

@dataclass
class _NoteType:
    name: str
    cloze: bool
    fields: list[str]
    questions: dict[int, str] = field(default_factory=dict)  # card ordinal -> question template

    def index(self, *names: str) -> int | None:
        low = [f.strip().lower() for f in self.fields]
        return next((low.index(n) for n in names if n in low), None)

    @cached_property
    def reverse_ords(self) -> set[int]:
        """Ordinals of templates that ask with the back (and do not show the front)."""
        front, back = self.index("front"), self.index("back")
        front_name = self.fields[front if front is not None else 0] if self.fields else ""
        back_name = self.fields[back if back is not None else 1] if len(self.fields) > 1 else ""
        return {o for o, q in self.questions.items()
                if back_name and _shows(q, back_name) and not _shows(q, front_name)}


def _shows(template: str, name: str) -> bool:
    for m in TEMPLATE_TAG.finditer(template):
        tag = m.group(1).strip()
        if tag[:1] in "#/^!":
            continue
        *filters, fld = tag.split(":")
        if fld.strip() == name and "type" not in (f.strip() for f in filters):
            return True
    return False


@dataclass
class _Collection:
    notetypes: dict[int, _NoteType]
    decks: dict[int, tuple[str, str]]  # id -> (name with '::', description HTML)
    notes: list[tuple[Any, Any, Any, Any, Any]]  # id, guid, mid, tags, flds
    note_cards: dict[Any, list[tuple[int, Any]]]  # note id -> [(ord, deck id)] by ord


@contextmanager
def _sqlite(db: bytes) -> Iterator[sqlite3.Connection]:
    """The collection opened read-only from a private temporary file, removed afterwards."""
    if not db.startswith(SQLITE_MAGIC):
        raise ArchiveError("the collection inside the package is not an SQLite database")
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        path = Path(tmp) / "collection.sqlite"
        path.write_bytes(db)
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            conn.text_factory = lambda b: b.decode("utf-8", "replace")
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA query_only = ON")
            deadline = time.monotonic() + SQL_SECONDS
            conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            yield conn
        finally:
            conn.close()


def _require_tables(conn: sqlite3.Connection, names: tuple[str, ...]) -> None:
    found = {row[0]: (row[1], row[2] or "") for row in conn.execute(
        f"SELECT name, type, sql FROM sqlite_master WHERE name IN ({','.join('?' * len(names))})",  # noqa: S608
        names)}
    for name in names:
        kind, sql = found.get(name, (None, ""))
        if kind != "table" or sql.lstrip().upper().startswith("CREATE VIRTUAL"):
            raise ArchiveError(f"the package's collection has no {name!r} table: not an Anki collection")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
        is not None


def _read_collection(conn: sqlite3.Connection) -> _Collection:
    _require_tables(conn, ("col", "notes", "cards"))
    if _has_table(conn, "notetypes"):
        _require_tables(conn, ("notetypes", "fields", "templates", "decks"))
        notetypes, decks = _schema18(conn)
    else:
        notetypes, decks = _schema11(conn)
    notes = conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    note_cards: dict[Any, list[tuple[int, Any]]] = {}
    for nid, ord_, did in conn.execute(
            "SELECT nid, ord, CASE WHEN odid THEN odid ELSE did END FROM cards ORDER BY nid, ord"):
        note_cards.setdefault(nid, []).append((ord_, did))
    return _Collection(notetypes, decks, notes, note_cards)


def _schema18(conn: sqlite3.Connection) -> tuple[dict[int, _NoteType], dict[int, tuple[str, str]]]:
    notetypes: dict[int, _NoteType] = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        notetypes[ntid] = _NoteType(str(name), _proto_get(config, 1, 0) == 1, [])
    for ntid, _, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        if ntid in notetypes:
            notetypes[ntid].fields.append(str(name))
    for ntid, ord_, config in conn.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord"):
        if ntid in notetypes and isinstance(ord_, int):
            qfmt = _proto_get(config, 1, b"")
            notetypes[ntid].questions[ord_] = qfmt.decode("utf-8", "replace") if isinstance(qfmt, bytes) else ""
    for nt in notetypes.values():
        nt.cloze = nt.cloze or any("{{cloze:" in q for q in nt.questions.values())
    decks = {}
    for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
        normal = _proto_get(kind, 1, b"")
        desc = _proto_get(normal, 4, b"") if isinstance(normal, bytes) else b""
        decks[did] = (str(name).replace("\x1f", "::"),
                      desc.decode("utf-8", "replace") if isinstance(desc, bytes) else "")
    return notetypes, decks


def _schema11(conn: sqlite3.Connection) -> tuple[dict[int, _NoteType], dict[int, tuple[str, str]]]:
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise ArchiveError("the package's collection is empty (no 'col' row): not an Anki collection")
    models, deck_data = json.loads(str(row[0])), json.loads(str(row[1]))
    if not isinstance(models, dict) or not isinstance(deck_data, dict):
        raise ArchiveError("the package's note types or decks are not readable")
    notetypes = {}
    for key, m in models.items():
        if not isinstance(m, dict) or not _is_int(key):
            continue
        flds = sorted((f for f in _list(m.get("flds")) if isinstance(f, dict)), key=lambda f: _int(f.get("ord")))
        tmpls = [t for t in _list(m.get("tmpls")) if isinstance(t, dict)]
        questions = {_int(t.get("ord"), n): str(t.get("qfmt") or "") for n, t in enumerate(tmpls)}
        cloze = m.get("type") == 1 or any("{{cloze:" in q for q in questions.values())
        notetypes[int(key)] = _NoteType(str(m.get("name") or ""), cloze,
                                        [str(f.get("name") or "") for f in flds], questions)
    decks = {int(k): (str(d.get("name") or ""), str(d.get("desc") or ""))
             for k, d in deck_data.items() if isinstance(d, dict) and _is_int(k)}
    return notetypes, decks


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value) is not None)


def _int(value: Any, default: int = 0) -> int:
    return int(value) if _is_int(value) and not isinstance(value, bool) else default


# -- package to bank -----------------------------------------------------------------------------

@dataclass
class _Skips:
    """Notes and fields left out, counted so that a deck of thousands gives a few notices."""

    notes: dict[str, list[str]] = field(default_factory=dict)  # reason -> note ids

    def add(self, reason: str, note: str) -> None:
        self.notes.setdefault(reason, []).append(note)

    def issues(self, file: str) -> list[BankIssue]:
        return [BankIssue(file, None, f"not imported: {reason} ({len(ids)} note{'s' if len(ids) > 1 else ''})",
                          question=ids[0], level="skipped")
                for reason, ids in self.notes.items()]


def parse_apkg(data: bytes | str, file: str = "deck.apkg", bank_id: str | None = None, title: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """The notes of an Anki package as a bank; ``bank_id`` and ``title`` override what the deck gives."""
    if isinstance(data, str):
        return ParseResult(None, [BankIssue(file, None, "an Anki package is a binary (zip) file, not text")])
    try:
        return _parse(bytes(data), file, bank_id, title, limits)
    except ArchiveError as exc:
        return ParseResult(None, [BankIssue(file, None, str(exc))])
    except sqlite3.OperationalError as exc:
        reason = "took too long to read" if "interrupt" in str(exc) else f"is damaged ({exc})"
        return ParseResult(None, [BankIssue(file, None, f"the package's collection {reason}")])
    except (sqlite3.Error, ValueError, RecursionError, OverflowError) as exc:
        return ParseResult(None, [BankIssue(file, None, f"the package's collection is damaged ({exc})")])


def _parse(data: bytes, file: str, bank_id: str | None, title: str | None, limits: Limits) -> ParseResult:
    with open_zip(data, limits) as archive:
        return _parse_archive(archive, file, bank_id, title, limits)


def _parse_archive(archive: zipfile.ZipFile, file: str, bank_id: str | None, title: str | None,
                   limits: Limits) -> ParseResult:
    names = set(archive.namelist())
    member = next((n for n in COLLECTIONS if n in names), None)
    if member is None:
        raise ArchiveError("not an Anki package: it holds no collection.anki21b, collection.anki21 "
                           "or collection.anki2")
    db = read_member(archive, member, limits.max_total_uncompressed)
    if member.endswith("b"):
        db = zstd_decompress(db, limits.max_total_uncompressed, f"zip entry {member!r}")
    media_map, errors = _media_map(archive, file, limits)
    with _sqlite(db) as conn:
        collection = _read_collection(conn)
    skips = _Skips()
    bank = _bank(collection, file, bank_id, title, skips)
    notices = skips.issues(file)
    if not errors:
        notices += _attach_media(bank, archive, media_map, _zstd_media(archive, limits), file, limits, errors)
    errors += validate_bank(bank, file)
    return ParseResult(None if errors else bank, errors, notices, partial=bank)


def _bank(col: _Collection, file: str, bank_id: str | None, title: str | None, skips: _Skips) -> Bank:
    made: list[tuple[list[Question], str]] = []
    guids: list[str] = []
    ignored: dict[tuple[str, str], list[str]] = {}
    for nid, guid, mid, tags, flds in col.notes:
        guid = _text(guid)
        qid = guid_question_id(guid)
        nt = col.notetypes.get(mid)
        if nt is None:
            skips.add("notes whose note type is missing from the package", qid)
            continue
        values = _text(flds).split("\x1f")
        if any(SOUND.search(v) for v in values):
            skips.add("sounds ([sound:...] tags, removed from the text)", qid)
        cards = col.note_cards.get(nid, [])
        if nt.cloze:
            if nt.index("occlusion") is not None:
                skips.add("image occlusion notes", qid)
                continue
            kind = "cloze"
            first_i, second_i = _pick(nt.index("text"), 0), _pick(nt.index("back extra"), 1)
        else:
            first_i, second_i = _pick(nt.index("front"), 0), _pick(nt.index("back"), 1)
            reverse = nt.reverse_ords & {o for o, _ in cards}
            kind = "reversed" if reverse else "basic"
        explain_i = nt.index("explanation")
        if second_i == explain_i:
            second_i = None
        used = {first_i, second_i, explain_i}
        first, second, explanation = (_field(values, first_i), _field(values, second_i),
                                      _field(values, explain_i))
        if kind == "cloze" and not CLOZE_MARK.search(first):
            skips.add("cloze notes without a deletion such as {{c1::...}}", qid)
            continue
        if not first or (kind != "cloze" and not second):
            skips.add("notes with an empty front or back", qid)
            continue
        for i, text in enumerate(values):
            if i not in used and html_to_text(text) and i < len(nt.fields):
                ignored.setdefault((nt.name, nt.fields[i]), []).append(qid)
        deck = col.decks.get(cards[0][1], ("", ""))[0] if cards else ""
        questions = note_questions(qid, kind, first, second, explanation, merge_tags(_text(tags).split()), "html")
        made.append((questions, deck))
        guids.append(guid)
    for (notetype, name), ids in ignored.items():
        for qid in ids:
            skips.add(f"the text of field {name!r} (note type {notetype!r})", qid)
    decks = [d for _, d in made if d]
    if len(set(decks)) > 1:
        for questions, deck in made:
            for q in questions:
                q.tags = merge_tags(q.tags, deck_tags(deck))
    questions = [q for group, _ in made for q in group]
    unique_ids(questions)
    name = title or decks_title(decks) or PurePath(file).stem or "Anki deck"
    description = next((html_to_text(desc) for d, desc in col.decks.values() if d == name and desc), "")
    return Bank(id=bank_id or guid_bank_id(guids) or slugify(name, "anki-deck"), title=name,
                questions=questions, description=description)


def _pick(index: int | None, default: int) -> int | None:
    return default if index is None else index


def _field(values: list[str], index: int | None) -> str:
    return clean_html(SOUND.sub("", values[index])).strip() if index is not None and index < len(values) else ""


# -- media ---------------------------------------------------------------------------------------

def _media_map(archive: zipfile.ZipFile, file: str, limits: Limits) -> tuple[dict[str, str], list[BankIssue]]:
    """Media file name -> zip entry, and an error for every name that could escape a folder."""
    if "media" not in archive.namelist():
        return {}, []
    raw = read_member(archive, "media", limits.max_total_uncompressed, "the media list")
    entries: dict[str, str] = {}
    if raw.startswith(ZSTD_MAGIC):
        listing = zstd_decompress(raw, limits.max_total_uncompressed, "the media list")
        try:
            for n, entry in enumerate(value for number, value in proto_fields(listing) if number == 1):
                fields = dict(proto_fields(entry)) if isinstance(entry, bytes) else {}
                name = fields.get(1, b"")
                name = name.decode("utf-8", "replace") if isinstance(name, bytes) else ""
                zipped = fields.get(4)  # MediaEntry.legacy_zip_filename, when set
                entries[str(zipped if isinstance(zipped, int) else n)] = name
        except ValueError:
            raise ArchiveError("the media list is damaged") from None
    else:
        try:
            listing_json = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ArchiveError("the media list is damaged (not JSON)") from None
        if not isinstance(listing_json, dict):
            raise ArchiveError("the media list is damaged (not a JSON object)")
        entries = {str(k): v if isinstance(v, str) else "" for k, v in listing_json.items()}
    errors = []
    by_name: dict[str, str] = {}
    for zipped, name in entries.items():
        problem = media_name_problem(name)
        if problem:
            errors.append(BankIssue(file, None, f"media file name {name!r} {problem}", field="media"))
        else:
            by_name[name] = zipped
    return by_name, errors


def _zstd_media(archive: zipfile.ZipFile, limits: Limits) -> bool | None:
    """Whether media files are zstd-compressed (package meta version 3), None when no meta says."""
    if "meta" not in archive.namelist():
        return None
    try:
        version = _proto_get(read_member(archive, "meta", 4096, "the package's meta entry"), 1, 0)
    except ValueError:  # ArchiveError included: without a readable meta, sniff each file instead
        return None
    return isinstance(version, int) and version >= META_LATEST


def _attach_media(bank: Bank, archive: zipfile.ZipFile, media_map: dict[str, str], zstd: bool | None,
                  file: str, limits: Limits, errors: list[BankIssue]) -> list[BankIssue]:
    notices: list[BankIssue] = []
    for name, question in _referenced_images(bank).items():
        if name not in media_map:
            notices.append(BankIssue(file, None, f"image {name!r} is not in the package", question=question,
                                     level="skipped"))
            continue
        label = f"image {name!r}"
        try:
            blob = read_member(archive, media_map[name], limits.max_media_bytes, label)
            if zstd or (zstd is None and blob.startswith(ZSTD_MAGIC)):
                blob = zstd_decompress(blob, limits.max_media_bytes, label)
        except ArchiveError as exc:
            errors.append(BankIssue(file, None, str(exc), question=question))
            continue
        bank.media[name] = blob
    return notices


def _referenced_images(bank: Bank) -> dict[str, str]:
    """Local image names used by ``<img src>`` in the bank's questions -> the first question using one."""
    found: dict[str, str] = {}
    for q in bank.questions:
        texts = [str(v) for v in q.fields.values()] + [q.explanation]
        for text in texts:
            for src in IMG_SRC.findall(text):
                name = html.unescape(src)
                if ":" in name or name.startswith("//") or media_name_problem(name):
                    continue  # a remote image, not a packaged one
                found.setdefault(name, q.id)
    return found


# -- bank to package -----------------------------------------------------------------------------

def stable_id(*parts: str) -> int:
    """A deck or note type id from names: the same for every export (below 2**53, safe in JavaScript)."""
    digest = hashlib.sha256("\x1f".join(("quizapp",) + parts).encode()).digest()
    return (1 << 40) + int.from_bytes(digest[:8], "big") % (1 << 52)


_CSS = (".card { font-family: arial; font-size: 20px; text-align: center; color: black; background-color: white; }\n"
        ".explanation { margin-top: 1em; font-size: 16px; }")
_EXPLAIN = "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}"
BASIC = genanki.Model(
    stable_id("model", "basic", "1"), "Basic (quizapp)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXPLAIN}],
    css=_CSS)
REVERSED = genanki.Model(
    stable_id("model", "reversed", "1"), "Basic and reversed (quizapp)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXPLAIN},
               {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _EXPLAIN}],
    css=_CSS)
CLOZE = genanki.Model(
    stable_id("model", "cloze", "1"), "Cloze (quizapp)",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Explanation"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}<br>{{Back Extra}}" + _EXPLAIN}],
    css=_CSS + "\n.cloze { font-weight: bold; color: blue; }", model_type=genanki.Model.CLOZE)


def dump_apkg(bank: Bank, now: float | None = None) -> bytes:
    """The bank as an .apkg that Anki imports (schema 11, which every Anki version reads).

    ``now`` (seconds since the epoch) stamps the notes: Anki updates a note it already has
    only from a copy stamped later, so it defaults to the current time."""
    deck = genanki.Deck(stable_id("deck", bank.id), bank.title, description=html.escape(bank.description))
    for q, reversed_too in pair_reverses(bank.questions):
        explanation = to_html(q.explanation, q.format)
        if q.type == "cloze":
            model = CLOZE
            fields = [to_html(q.fields["text"], q.format), to_html(q.fields.get("extra", ""), q.format)]
        elif q.type == "flashcard":
            model = REVERSED if reversed_too else BASIC
            fields = [to_html(str(q.fields["front"]), q.format), to_html(str(q.fields["back"]), q.format)]
        else:
            model, fields = BASIC, list(card_sides(q, as_html=True))
        deck.add_note(genanki.Note(model=model, fields=fields + [explanation], guid=quizapp_guid(bank.id, q.id),
                                   tags=[t for t in (anki_tag(t) for t in q.tags) if t]))
    names = sorted(bank.media)
    for name in names:
        problem = media_name_problem(name)
        if problem:
            raise ValueError(f"media file name {name!r} {problem}")
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA synchronous = OFF")  # a scratch file: no fsync
            conn.execute("PRAGMA journal_mode = MEMORY")
            now = time.time() if now is None else now
            genanki.Package(deck).write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", json.dumps({str(n): name for n, name in enumerate(names)}))
            for n, name in enumerate(names):
                archive.writestr(str(n), bank.media[name])
    return out.getvalue()
