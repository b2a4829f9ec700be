"""An Anki package (.apkg, .colpkg) opened safely: its collection's tables and its media files.

Every layout Anki has written (../shared/docs/interchange-formats.md): ``collection.anki21b``
(zstd SQLite, schema 18; media map a zstd protobuf, media files zstd), else
``collection.anki21``, else ``collection.anki2`` (schema 11; media map JSON). The archive passes
limits.py first; the SQLite file is written to a private temporary directory and opened
read-only and immutable with the schema untrusted, a time limit, and only plain tables read.

Decompressed bytes are counted against one budget per package (``Budget``): the collection, the
media list and every image, besides each image's own cap, the images' total and their count, and
the compression ratio of each zstd image (an image is no bomb: past ``ratio_min_bytes`` none
expands more than ``max_ratio`` times). A zstd image's size is known only by expanding it, so a
tiny package of zstd media could otherwise grow without end.
"""
from __future__ import annotations

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
from pathlib import Path
from typing import Any

from .anki_history import MAX_REVLOG_ROWS, RevlogEntry
from .limits import (
    ZSTD_MAGIC,
    ArchiveError,
    Limits,
    media_name_problem,
    read_member,
    size_text,
    zstd_decompress,
)
from .model import BankIssue

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
SQLITE_MAGIC = b"SQLite format 3\x00"
SQL_SECONDS = 20.0  # reading a package's collection may take no longer than this
TEMPLATE_TAG = re.compile(r"\{\{([^{}]*)\}\}")
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


def proto_get(buf: Any, number: int, default: Any = None) -> Any:
    if not isinstance(buf, bytes):
        return default
    for n, value in proto_fields(buf):
        if n == number:
            return value
    return default


# -- the collection ------------------------------------------------------------------------------

@dataclass
class NoteType:
    id: int
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
class Note:
    id: Any
    guid: str
    notetype: Any
    tags: str
    fields: list[str]


@dataclass
class CardRow:
    id: Any
    ord: int
    deck: Any


@dataclass
class Collection:
    notetypes: dict[int, NoteType]
    decks: dict[int, tuple[str, str]]  # id -> (name with '::', description HTML)
    notes: list[Note]
    cards: dict[Any, list[CardRow]]  # note id -> its cards by ordinal
    revlog: dict[Any, list[RevlogEntry]]  # card id -> its reviews
    revlog_cut: bool = False  # more than MAX_REVLOG_ROWS reviews: none read


@contextmanager
def open_sqlite(db: bytes) -> Iterator[sqlite3.Connection]:
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
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None and not str(row[0] or "").lstrip().upper().startswith("CREATE VIRTUAL")


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def read_collection(conn: sqlite3.Connection) -> Collection:
    _require_tables(conn, ("col", "notes", "cards"))
    if _has_table(conn, "notetypes"):
        _require_tables(conn, ("notetypes", "fields", "templates", "decks"))
        notetypes, decks = _schema18(conn)
    else:
        notetypes, decks = _schema11(conn)
    notes = [Note(nid, _text(guid), mid, _text(tags), _text(flds).split("\x1f"))
             for nid, guid, mid, tags, flds in conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")]
    cards: dict[Any, list[CardRow]] = {}
    card_id = "id" if "id" in _columns(conn, "cards") else "NULL"  # crafted tables may lack it
    for cid, nid, ord_, did in conn.execute(
            f"SELECT {card_id}, nid, ord, CASE WHEN odid THEN odid ELSE did END FROM cards "  # noqa: S608
            "ORDER BY nid, ord"):
        if isinstance(ord_, int):
            cards.setdefault(nid, []).append(CardRow(cid, ord_, did))
    revlog, cut = _revlog(conn)
    return Collection(notetypes, decks, notes, cards, revlog, cut)


def _revlog(conn: sqlite3.Connection) -> tuple[dict[Any, list[RevlogEntry]], bool]:
    if not _has_table(conn, "revlog"):
        return {}, False
    if not {"id", "cid", "ease", "ivl", "factor", "type", "time"} <= _columns(conn, "revlog"):
        return {}, False
    rows = conn.execute("SELECT id, cid, ease, ivl, factor, type, time FROM revlog ORDER BY cid, id LIMIT ?",
                        (MAX_REVLOG_ROWS + 1,)).fetchall()
    if len(rows) > MAX_REVLOG_ROWS:
        return {}, True
    out: dict[Any, list[RevlogEntry]] = {}
    for rid, cid, ease, ivl, factor, kind, taken in rows:
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (rid, ease, ivl, factor, kind)) \
                and 0 < rid < 2**53:
            out.setdefault(cid, []).append(RevlogEntry(rid, ease, ivl, factor, kind,
                                                       taken if isinstance(taken, int) else 0))
    return out, False


def _schema18(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, tuple[str, str]]]:
    notetypes: dict[int, NoteType] = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        notetypes[ntid] = NoteType(ntid, str(name), proto_get(config, 1, 0) == 1, [])
    for ntid, _, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        if ntid in notetypes:
            notetypes[ntid].fields.append(str(name))
    for ntid, ord_, config in conn.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord"):
        if ntid in notetypes and isinstance(ord_, int):
            qfmt = proto_get(config, 1, b"")
            notetypes[ntid].questions[ord_] = qfmt.decode("utf-8", "replace") if isinstance(qfmt, bytes) else ""
    for nt in notetypes.values():
        nt.cloze = nt.cloze or any("{{cloze:" in q for q in nt.questions.values())
    decks = {}
    for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
        normal = proto_get(kind, 1, b"")
        desc = proto_get(normal, 4, b"") if isinstance(normal, bytes) else b""
        decks[did] = (str(name).replace("\x1f", "::"),
                      desc.decode("utf-8", "replace") if isinstance(desc, bytes) else "")
    return notetypes, decks


def _schema11(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, tuple[str, str]]]:
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
        notetypes[int(key)] = NoteType(int(key), str(m.get("name") or ""), cloze,
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


# -- the archive ---------------------------------------------------------------------------------

class Budget:
    """Decompressed bytes left for this package (all of it), and for its images."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = limits.max_total_uncompressed
        self.media = limits.max_media_total
        self.images = 0

    def spend(self, n: int, media: bool = False) -> None:
        self.total -= n
        if media:
            self.media -= n
        if self.total < 0:
            raise ArchiveError(f"the package expands to more than {size_text(self.limits.max_total_uncompressed)} "
                               "in all (the limit)")
        if self.media < 0:
            raise ArchiveError(f"the package's images expand to more than {size_text(self.limits.max_media_total)} "
                               "in all (the limit)")


@dataclass
class Package:
    archive: zipfile.ZipFile
    collection: Collection | None  # None when only the media were opened (open_media)
    media_map: dict[str, str]  # media file name -> zip entry
    media_errors: list[BankIssue]
    zstd_media: bool | None
    budget: Budget


def read_collection_bytes(archive: zipfile.ZipFile, budget: Budget) -> bytes:
    names = set(archive.namelist())
    member = next((n for n in COLLECTIONS if n in names), None)
    if member is None:
        raise ArchiveError("not an Anki package: it holds no collection.anki21b, collection.anki21 "
                           "or collection.anki2")
    db = read_member(archive, member, budget.total)
    if member.endswith("b"):
        db = expand(db, budget, f"zip entry {member!r}")
    budget.spend(len(db))
    return db


def expand(raw: bytes, budget: Budget, label: str) -> bytes:
    """zstd ``raw`` expanded within what is left of the package's budget and the zip's ratio rule
    (past ``ratio_min_bytes``, at most ``max_ratio`` times its size: a real collection is about 5)."""
    limits = budget.limits
    ratio_cap = max(limits.ratio_min_bytes, limits.max_ratio * len(raw))
    if ratio_cap < budget.total:
        return zstd_decompress(raw, ratio_cap, label, f"{label} expands more than {limits.max_ratio}:1 "
                                                      f"(limit {limits.max_ratio}:1)")
    return zstd_decompress(raw, budget.total, label)


def media_map(archive: zipfile.ZipFile, file: str, budget: Budget) -> tuple[dict[str, str], list[BankIssue]]:
    """Media file name -> zip entry, and an error for every name that could escape a folder."""
    if "media" not in archive.namelist():
        return {}, []
    raw = read_member(archive, "media", budget.total, "the media list")
    entries: dict[str, str] = {}
    if raw.startswith(ZSTD_MAGIC):
        listing = expand(raw, budget, "the media list")
        budget.spend(len(listing))
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
        budget.spend(len(raw))
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


def zstd_media(archive: zipfile.ZipFile) -> bool | None:
    """Whether media files are zstd-compressed (package meta version 3), None when no meta says."""
    if "meta" not in archive.namelist():
        return None
    try:
        version = proto_get(read_member(archive, "meta", 4096, "the package's meta entry"), 1, 0)
    except ValueError:  # ArchiveError included: without a readable meta, sniff each file instead
        return None
    return isinstance(version, int) and version >= META_LATEST


def read_image(package: Package, name: str) -> bytes:
    """One media file's bytes, within every cap (ArchiveError saying which one otherwise)."""
    limits, budget = package.budget.limits, package.budget
    budget.images += 1
    if budget.images > limits.max_media_files:
        raise ArchiveError(f"the package's notes use more than {limits.max_media_files} images (the limit)")
    label = f"image {name!r}"
    blob = read_member(package.archive, package.media_map[name], limits.max_media_bytes, label)
    if package.zstd_media or (package.zstd_media is None and blob.startswith(ZSTD_MAGIC)):
        ratio_cap = max(limits.ratio_min_bytes, limits.max_ratio * len(blob))
        cap = min(limits.max_media_bytes, budget.media, budget.total, ratio_cap)
        if cap == ratio_cap:
            message = f"{label} expands more than {limits.max_ratio}:1 (the limit): not an image but a bomb"
        elif cap == limits.max_media_bytes:
            message = f"{label} expands to more than {size_text(cap)} (the limit)"
        else:
            message = (f"{label} takes the package's images past "
                       f"{size_text(min(limits.max_media_total, limits.max_total_uncompressed))} in all (the limit)")
        blob = zstd_decompress(blob, cap, label, message)
    budget.spend(len(blob), media=True)
    return blob


@contextmanager
def open_package(archive: zipfile.ZipFile, file: str, limits: Limits) -> Iterator[Package]:
    """The package's collection read, its media listed (not yet read: see ``read_image``)."""
    budget = Budget(limits)
    db = read_collection_bytes(archive, budget)
    names, errors = media_map(archive, file, budget)
    with open_sqlite(db) as conn:
        collection = read_collection(conn)
    del db
    yield Package(archive, collection, names, errors, zstd_media(archive), budget)


def open_media(archive: zipfile.ZipFile, limits: Limits) -> Package:
    """The package's media alone (the upload preview's images), its collection left unread."""
    budget = Budget(limits)
    names, errors = media_map(archive, "", budget)
    return Package(archive, None, names, errors, zstd_media(archive), budget)
