"""Anki's text files (and any CSV/TSV of cards) turned into questions, row by row.

Reading follows Anki's conventions (../shared/docs/interchange-formats.md): ``#key:value`` header
lines at the top (``#separator``, ``#html``, ``#tags``, ``#columns``, ``#deck``, ``#notetype`` and
the ``#... column:N`` pointers; a spreadsheet's padding of separators after a value is ignored).
Each row becomes a flashcard, a flashcard and its reverse, or a cloze question; with this app's
``Type`` and ``Data`` columns, any question type (typed_rows.py).

Beyond Anki: a first row naming the columns (``front,back``, ``term,definition``,
``question,answer``, this app's own column names) is read as ``#columns``, not as a card. In a
file of two columns (no column names but front and back), a row with more fields had the
separator in its definition (Quizlet's exports quote nothing): the text after the first separator
is its back, with a notice, instead of a dropped column. Left out with a notice, as the .apkg
reader does: image occlusion notes and ``[sound:...]`` tags (removed from the text); also ``#``
comment lines in the body, which Anki skips silently.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from ..domain.questions import REGISTRY
from .anki_notes import (
    CLOZE_MARK,
    OCCLUSION_MARK,
    QUIZAPP_GUID,
    REVERSE_SUFFIX,
    SOUND,
    deck_tags,
    decks_title,
    guid_bank_id,
    guid_question_id,
    is_occlusion,
    merge_tags,
    note_questions,
    notetype_kind,
    text_question_id,
)
from .csv_guard import unguard_formula
from .delimited_scan import MAX_FIELDS, MAX_RECORD_CHARS, Record, skip_blank
from .model import Bank, BankIssue, Question, slugify, unique_ids
from .sanitize import clean_html
from .typed_rows import DATA_COLUMN, TYPE_COLUMN, Cells, parse_data, read_bank_header, restore

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
HEADER = re.compile(r"#([A-Za-z ]+):(.*)")
POINTERS = ("tags", "deck", "notetype", "guid")
KNOWN_HEADERS = ({"separator", "html", "tags", "columns", "deck", "notetype", "quizapp bank"}
                 | {f"{p} column" for p in POINTERS})
COLUMN_ROLES = {"tags": "tags", "deck": "deck", "notetype": "notetype", "note type": "notetype", "guid": "guid"}
# Names a first row may give the two sides (Quizlet, spreadsheets, Anki's field names).
FRONT_NAMES = {"front", "term", "question", "prompt", "word", "text"}
BACK_NAMES = {"back", "definition", "answer", "meaning", "back extra", "extra"}
COLUMN_NAMES = FRONT_NAMES | BACK_NAMES | set(COLUMN_ROLES) | {"explanation", TYPE_COLUMN, DATA_COLUMN}
LOOKS_HTML = re.compile(r"</?(?:b|i|u|s|br|div|p|span|img|ul|ol|li|em|strong|sub|sup|table|hr)\b[^<>]*>"
                        r"|&(?:nbsp|amp|lt|gt|quot|#\d+);", re.IGNORECASE)
SAMPLE_ROWS = 20
MAX_HEADER_LINES = 1_000


@dataclass
class Header:
    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: str | None = None
    deck: str | None = None
    notetype: str | None = None
    pointers: dict[str, tuple[int, int]] = field(default_factory=dict)  # role -> (1-based column, line)
    bank: dict = field(default_factory=dict)  # from this app's "#quizapp bank:" line
    pos: int = 0  # where the rows start
    line: int = 1  # the line they start on


# -- header lines ----------------------------------------------------------------------------------

def read_header(text: str, file: str, errors: list[BankIssue]) -> Header:
    """Anki's header lines at the top of ``text`` (blank and other ``#`` lines among them skipped).
    At most MAX_HEADER_LINES ``#`` lines are looked at; later ones are comments of the body."""
    head = Header()
    found: list[tuple[str, str, int]] = []
    pos, line, n = 0, 1, len(text)
    for _ in range(MAX_HEADER_LINES):
        end = skip_blank(text, pos)
        line += text.count("\n", pos, end)
        pos = end
        if not text.startswith("#", pos):
            break
        nl = text.find("\n", pos)
        nl = n if nl == -1 else nl
        if nl - pos > MAX_RECORD_CHARS:
            errors.append(BankIssue(file, line, f"the header line is longer than {MAX_RECORD_CHARS:,} characters"))
        else:
            m = HEADER.fullmatch(text, pos, nl)
            key = m[1].strip().lower() if m else ""
            if key in KNOWN_HEADERS:
                found.append((key, m[2], line))
        pos, line = min(nl + 1, n), line + 1
    head.pos, head.line = pos, line
    for key, value, at in found:  # the separator first: spreadsheets pad the other lines with it
        if key == "separator":
            _separator(head, value, at, file, errors)
    pad = head.separator if head.separator and head.separator.strip() else ""
    for key, value, at in found:
        if key != "separator":
            _header_value(head, key, value if key == "columns" or not pad else value.rstrip(pad), at, file, errors)
    return head


def _separator(head: Header, value: str, line: int, file: str, errors: list[BankIssue]) -> None:
    word = value.strip()
    padded = word.rstrip(",;\t|")
    if word.lower() in SEPARATORS or (padded and padded.lower() in SEPARATORS):
        head.separator = SEPARATORS[(word if word.lower() in SEPARATORS else padded).lower()]
    elif len(value) == 1 or len(word) == 1:
        literal = value if len(value) == 1 else word
        if literal in '"#\n':
            errors.append(BankIssue(file, line, f"{literal!r} cannot separate fields", field="separator"))
        else:
            head.separator = literal
    else:
        errors.append(BankIssue(file, line, f"unknown separator {word!r}; use Comma, Semicolon, Tab, Space, "
                                            "Pipe, Colon or a single character", field="separator"))


def _header_value(head: Header, key: str, value: str, line: int, file: str, errors: list[BankIssue]) -> None:
    word = value.strip()
    if key == "html":
        if word.lower() in ("true", "false"):
            head.html = word.lower() == "true"
        else:
            errors.append(BankIssue(file, line, f"must be true or false, not {word!r}", field="html"))
    elif key == "tags":
        head.tags = word.split()
    elif key == "columns":
        head.columns = value
    elif key == "deck":
        head.deck = word or None
    elif key == "notetype":
        head.notetype = word or None
    elif key == "quizapp bank":
        head.bank, problem = read_bank_header(word)
        if problem:
            errors.append(BankIssue(file, line, problem, field="quizapp bank"))
    else:
        role = key.removesuffix(" column")
        if re.fullmatch(r"[0-9]{1,6}", word) and int(word) >= 1:
            head.pointers[role] = (int(word), line)
        else:
            errors.append(BankIssue(file, line, f"bad column pointer {word!r}: must be a column number from 1",
                                    field=key))


# -- columns ---------------------------------------------------------------------------------------

def header_row(fields: list[str]) -> bool:
    """A first row that names the columns instead of holding a card."""
    names = [f.strip().lower() for f in fields if f.strip()]
    return (len(names) >= 2 and all(n in COLUMN_NAMES for n in names)
            and any(n in FRONT_NAMES for n in names) and any(n in BACK_NAMES for n in names))


def _columns(head: Header, names: list[str], file: str, errors: list[BankIssue]) -> dict[str, int]:
    """The 0-based column of each pointer role (named columns, then the ``#... column`` lines)."""
    pointers: dict[str, int] = {}
    for n, name in enumerate(names):
        if name in COLUMN_ROLES:
            pointers.setdefault(COLUMN_ROLES[name], n)
    for role, (column, line) in head.pointers.items():
        if names and column > len(names):
            errors.append(BankIssue(file, line, f"bad column pointer: column {column} does not exist "
                                                f"(#columns names {len(names)})", field=f"{role} column"))
        pointers[role] = column - 1
    return pointers


def _assign(content: list[int], names: list[str], roles: tuple[tuple[str, set[str]], ...]
            ) -> tuple[dict[str, int], int | None, list[int]]:
    """The column of each role (by its name, else the next unnamed one), the column named
    Explanation, and the columns left over."""
    taken: dict[str, int] = {}
    explanation = next((n for n in content if n < len(names) and names[n] == "explanation"), None)
    free = [n for n in content if n != explanation]
    for role, aliases in roles:
        named = next((n for n in free if n < len(names) and names[n] in aliases), None)
        if named is not None:
            taken[role] = named
            free.remove(named)
    for role, _ in roles:
        if role not in taken and free:
            taken[role] = free.pop(0)
    return taken, explanation, free


def sep_name(sep: str | None) -> str:
    return next((k for k, v in SEPARATORS.items() if v == sep), repr(sep))


# -- rows to questions -------------------------------------------------------------------------------

@dataclass
class _Skipped:
    """Rows and texts left out, one notice per reason with the first line and the count."""

    lines: dict[str, list[int]] = field(default_factory=dict)

    def add(self, reason: str, line: int) -> None:
        self.lines.setdefault(reason, []).append(line)

    def issues(self, file: str) -> list[BankIssue]:
        return [BankIssue(file, lines[0], f"not imported: {reason} ({len(lines)} row{'s' if len(lines) > 1 else ''}"
                                          f"{', the first on this line' if len(lines) > 1 else ''})", level="skipped")
                for reason, lines in self.lines.items()]


@dataclass
class _Reader:
    """What every row of one file is read with, and what the rows leave behind."""

    file: str
    head: Header
    names: list[str]
    pointers: dict[str, int]
    typed: tuple[int, int] | None  # the Type and Data columns
    errors: list[BankIssue]
    skipped: _Skipped = field(default_factory=_Skipped)
    ignored: dict[int, list[int]] = field(default_factory=dict)  # column -> lines with text in it

    def error(self, row: Record, message: str, **where: str | None) -> None:
        self.errors.append(BankIssue(self.file, row.line, message, **where))

    def row(self, row: Record) -> tuple[list[Question], str, str]:
        """The questions of one row (none when it is left out or wrong), its guid and its deck."""
        raw = row.fields
        guid = _at(raw, self.pointers.get("guid"))
        # This app wrote the row (its GUID says so): the formula guard it added comes off.
        cells = [unguard_formula(f) for f in raw] if QUIZAPP_GUID.match(guid) else raw
        special = set(self.pointers.values()) | set(self.typed or ())
        content = [n for n in range(len(cells)) if n not in special]
        deck = _at(cells, self.pointers.get("deck")) or self.head.deck or ""
        if not any(cells[n] for n in content):
            if any(cells):
                self.error(row, "the row has no card text")
            return [], guid, deck
        notetype = _at(cells, self.pointers.get("notetype")) or self.head.notetype or ""
        # An occlusion note's shapes are its first field (Occlusion), with or without a note type column.
        if is_occlusion(notetype) or OCCLUSION_MARK.search(cells[content[0]]):
            self.skipped.add("image occlusion notes", row.line)
            return [], guid, deck
        qid = guid_question_id(guid) if guid else ""
        qtype = _at(cells, self.typed[0]).strip() if self.typed else ""
        keep: Question | None = None  # an edited flashcard or cloze: the fields its cells do not show
        if qtype:
            if qtype not in REGISTRY:
                self.error(row, f"unknown question type {qtype!r}; known: {', '.join(REGISTRY)}", field="Type")
                return [], guid, deck
            data = _at(raw, self.typed[1]) if self.typed else ""
            if data:
                made, keep = self.typed_row(row, qtype, data, qid)
                if made is not None or keep is None:
                    return made or [], guid, deck
            elif qtype not in ("flashcard", "cloze"):
                self.error(row, f"a {REGISTRY[qtype].label.lower()} question needs its Data cell, which the export "
                                "writes; clear the Type cell to import the row as a flashcard", field="Data")
                return [], guid, deck
        made = self.note_row(row, cells, content, notetype, qtype, qid)
        if keep is not None:
            for q in made:
                q.source, q.evidence, q.difficulty = keep.source, list(keep.evidence), keep.difficulty
                q.extra, q.title = dict(keep.extra), keep.title
                if q.type == "cloze":
                    q.fields.update({k: v for k, v in keep.fields.items() if k not in ("text", "extra")})
        return made, guid, deck

    def note_row(self, row: Record, cells: list[str], content: list[int], notetype: str, qtype: str,
                 qid: str) -> list[Question]:
        """An Anki note's row: a flashcard (and its reverse) or a cloze, from its visible cells."""
        if any("[sound:" in cells[n] for n in content):
            self.skipped.add("sounds ([sound:...] tags, removed from the text)", row.line)
            cells = [SOUND.sub("", c).strip() if n in content else c for n, c in enumerate(cells)]
        kind, _ = notetype_kind(notetype or "Basic")
        if qtype and (kind == "cloze") != (qtype == "cloze"):
            self.error(row, f"the note type {notetype!r} does not fit the type {qtype!r}", field="Type")
            return []
        roles = (("text", {"text"}), ("extra", {"back extra", "extra"}))
        if kind != "cloze":
            if not notetype and not qtype and CLOZE_MARK.search(cells[content[0]]):
                kind = "cloze"
            else:
                roles = (("front", FRONT_NAMES - {"text"}), ("back", BACK_NAMES - {"back extra", "extra"}))
        taken, explanation_col, free = _assign(content, self.names, roles)
        for n in free:
            if cells[n]:
                self.ignored.setdefault(n, []).append(row.line)
        (first_role, _), (second_role, _) = roles
        first, second = _at(cells, taken.get(first_role)), _at(cells, taken.get(second_role))
        explanation = _at(cells, explanation_col)
        if not first:
            self.error(row, f"the {'text' if kind == 'cloze' else 'front'} is empty")
            return []
        if kind != "cloze" and second_role not in taken:
            self.error(row, "the row has no back: found one field where two were expected (fields are separated "
                            f"by {sep_name(self.head.separator)})")
            return []
        if kind != "cloze" and not second:
            self.error(row, "the back is empty")
            return []
        fmt = "html" if self.head.html else "plain"
        if fmt == "html":
            first, second, explanation = clean_html(first), clean_html(second), clean_html(explanation)
        tags = merge_tags(self.head.tags, _at(cells, self.pointers.get("tags")).split())
        return note_questions(qid or text_question_id(first), kind, first, second, explanation, tags, fmt, row.line)

    def typed_row(self, row: Record, qtype: str, data: str, qid: str) -> tuple[list[Question] | None, Question | None]:
        """A row with Type and Data: (its questions, None) when restored, (None, the question) for an
        edited flashcard or cloze, (None, None) after an error."""
        fields, problem = parse_data(data)
        if problem or fields is None:
            self.error(row, f"the Data cell {problem}", field="Data")
            return None, None
        raw, names = row.fields, self.names
        named = {name: _at(raw, names.index(name) if name in names else None)
                 for name in ("front", "back", "explanation")}
        cells = Cells(_at(raw, self.pointers.get("notetype")), named["front"], named["back"], named["explanation"],
                      _at(raw, self.pointers.get("tags")))
        restored, problem_at = restore(qtype, fields, qid or "q", row.line, cells, bool(self.head.html))
        if restored is None:
            column, message = problem_at or ("Data", "cannot be read")
            self.error(row, message, field=column, question=qid or None)
            return None, None
        if restored.edited is not None:
            return None, restored.edited
        made = restored.questions
        if not qid:  # a row added by hand, without a GUID: named after its text, as other rows are
            f = made[0].fields
            made[0].id = f"row-{row.line}" if restored.invalid else \
                text_question_id(str(f.get("prompt") or f.get("front") or f.get("text") or ""))
            for q in made[1:]:
                q.id = made[0].id + REVERSE_SUFFIX
        return made, None


def _at(cells: list[str], n: int | None) -> str:
    return cells[n] if n is not None and n < len(cells) else ""


def build_bank(records: list[Record], head: Header, file: str, bank_id: str | None, title: str | None,
               errors: list[BankIssue], notices: list[BankIssue], comments: list[tuple[int, int]] | None = None
               ) -> Bank:
    """The bank the rows make (``errors`` and ``notices`` get what they find)."""
    names = ([c.strip().lower() for c in head.columns.split(head.separator or "\t")]
             if head.columns is not None else [])
    if len(names) > MAX_FIELDS:
        errors.append(BankIssue(file, None, f"#columns names more than {MAX_FIELDS:,} columns", field="columns"))
        names = names[:MAX_FIELDS]
    if not names and records and header_row(records[0].fields):
        names = [f.strip().lower() for f in records[0].fields]
        notices.append(BankIssue(file, records[0].line, "read as the names of the columns "
                                                        f"({', '.join(n for n in names if n)}), not as a card",
                                 level="notice"))
        records = records[1:]
    two_sides = not names or (len(names) == 2 and names[0] in FRONT_NAMES and names[1] in BACK_NAMES)
    if two_sides and not head.pointers:
        _join_overflow(records, head.separator or "\t", file, notices)
    if head.html is None:
        head.html = any(LOOKS_HTML.search(f) for row in records[:SAMPLE_ROWS] for f in row.fields)
    typed = (names.index(TYPE_COLUMN), names.index(DATA_COLUMN)) if {TYPE_COLUMN, DATA_COLUMN} <= set(names) else None
    reader = _Reader(file, head, names, _columns(head, names, file, errors), typed, errors)
    questions: list[Question] = []
    guids: list[str] = []
    row_decks: list[tuple[list[Question], str]] = []
    for row in records:
        made, guid, deck = reader.row(row)
        if made:
            questions += made
            row_decks.append((made, deck))
            if guid:
                guids.append(guid)
    for n, lines in sorted(reader.ignored.items()):
        label = f"column {n + 1}" + (f" ({names[n]!r})" if n < len(names) and names[n] else "")
        notices.append(BankIssue(file, lines[0], f"{label} is not imported (it has text in {len(lines)} "
                                             f"row{'s' if len(lines) > 1 else ''})",
                                 level="skipped"))
    notices += reader.skipped.issues(file)
    if comments:
        count = sum(k for _, k in comments)
        notices.append(BankIssue(file, comments[0][0], f"not imported: {count} line{'s' if count > 1 else ''} "
                                                       "starting with '#', read as comments as Anki does"
                                                       f"{' (the first on this line)' if count > 1 else ''}",
                                 level="skipped"))
    decks = [d for _, d in row_decks if d]
    if len(set(decks)) > 1:
        for made, deck in row_decks:
            for q in made:
                q.tags = merge_tags(q.tags, deck_tags(deck))
    unique_ids(questions)
    meta = head.bank
    name = title or meta.get("title") or head.deck or decks_title(decks) or PurePath(file).stem or "Cards"
    return Bank(id=bank_id or guid_bank_id(guids) or slugify(name, "cards"), title=name, questions=questions,
                description=meta.get("description", ""), tags=list(meta.get("tags", [])),
                sources=dict(meta.get("sources", {})), extra=dict(meta.get("extra", {})))


def _join_overflow(records: list[Record], sep: str, file: str, notices: list[BankIssue]) -> None:
    """In a file of two columns, a row with more fields had the separator in its back (Quizlet
    quotes nothing): the back gets it back."""
    counts = Counter(len(r.fields) for r in records)
    if not counts or min(counts.most_common(), key=lambda kv: (-kv[1], kv[0]))[0] != 2:
        return
    lines = []
    for r in records:
        if len(r.fields) > 2:
            r.fields = [r.fields[0], sep.join(r.raw[1:]).strip()]
            lines.append(r.line)
    if lines:
        word = sep_name(sep)
        rows = f"{len(lines)} rows have" if len(lines) > 1 else "1 row has"
        first = " (the first on this line)" if len(lines) > 1 else ""
        notices.append(BankIssue(file, lines[0], f"{rows} more than one {word}{first}: the text after the first "
                                                 f"{word} is read as the back; put a field holding a {word} in "
                                                 "double quotes to say where it ends", level="notice"))
