"""The bank model every format reads into and writes from, and its validation."""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..domain.questions import DIFFICULTIES, REGISTRY, get_type
from .limits import MAX_NESTING

# What the database columns hold (quizapp/models/content.py): PostgreSQL refuses longer values (a
# 500), SQLite would keep them, so every format is held to these here.
MAX_ID_CHARS = 120  # banks.slug and questions.key are VARCHAR(120)
MAX_TITLE_CHARS = 200  # banks.title is VARCHAR(200)
MAX_TAG_CHARS = 120  # tags sit in JSON (no column limit): as long as an id, a tag being a label
SLUG = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_ID_CHARS - 1}}}\Z")
TEXT_FORMATS = ("plain", "html", "markdown")


@dataclass
class Question:
    """One question: common metadata plus the type's own ``fields`` (see domain.questions)."""

    id: str
    type: str
    fields: dict[str, Any]
    explanation: str = ""
    source: str | None = None
    evidence: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    difficulty: str | None = None
    format: str = "plain"  # how prompt/choices/explanation are written: plain, html or markdown
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys, kept for lossless round trips
    title: str = ""  # a name for the question (GIFT's ::Title::, Moodle's question name); optional
    line: int | None = field(default=None, compare=False)

    def answer_hash(self) -> str:
        """Digest of what decides right and wrong; a change resets learners' progress."""
        qtype = get_type(self.type)
        key = {f: self.fields.get(f, qtype.defaults.get(f)) for f in qtype.answer_fields}
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def content_hash(self) -> str:
        """Digest of everything shown; tells a re-load whether anything changed at all."""
        body = [self.type, self.fields, self.explanation, self.source, self.evidence, self.tags,
                self.difficulty, self.format, self.extra]
        if self.title:  # only when set, so the digests of questions without one stay as they were
            body.append(self.title)
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class Bank:
    id: str
    title: str
    questions: list[Question] = field(default_factory=list)
    description: str = ""
    tags: list[str] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)
    # Review history that came with the file (an Anki package): (question id, card ordinal) ->
    # banks.anki_history.Review list. Never saved with the bank; a learner may take it as their own
    # progress (services/anki_history.py).
    history: dict[tuple[str, int], list[Any]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BankIssue:
    """One problem (or, with ``level="skipped"``, one item left out) in an uploaded file."""

    file: str
    line: int | None
    message: str
    field: str | None = None
    question: str | None = None
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = " ".join(
            part for part in (
                f"question {self.question!r}" if self.question else "",
                f"field {self.field!r}" if self.field else "",
            ) if part
        )
        return f"{where}: {what + ': ' if what else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field,
                "question": self.question, "message": self.message, "level": self.level}


@dataclass
class ParseResult:
    bank: Bank | None
    errors: list[BankIssue] = field(default_factory=list)
    notices: list[BankIssue] = field(default_factory=list)
    # The bank as far as it could be read, errors and all: what an upload preview shows.
    partial: Bank | None = field(default=None, compare=False, repr=False)
    # Several banks out of one file (a GIFT file's categories, when the teacher asks for a bank
    # each): saved together, all or nothing. Empty for one bank.
    parts: list[Bank] = field(default_factory=list, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.bank is not None and not self.errors


def slugify(text: str, fallback: str = "q") -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def unique_ids(questions: list[Question]) -> None:
    """Makes generated ids unique by numbering repeats (``name``, ``name-2``, ...)."""
    seen: dict[str, int] = {}
    for q in questions:
        base = q.id
        if base in seen:
            seen[base] += 1
            while f"{base}-{seen[base]}" in seen:
                seen[base] += 1
            q.id = f"{base}-{seen[base]}"
        seen.setdefault(q.id, 1)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored or shown: a NUL (PostgreSQL refuses it in text) or a lone
    surrogate (no UTF-8 encoding: every page showing it would fail); None when it is fine."""
    if "\x00" in text:
        return "contains a NUL character (U+0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (f"contains a lone surrogate (U+{ord(text[exc.start]):04X}), which is not a character "
                    "(a broken \\u escape?)")
    return None


def key_value_problems(items: list[tuple[Any, Any]]) -> list[tuple[tuple, str]]:
    """``value_problems`` of each (key, value) of a mapping's items, the keys themselves included."""
    out: list[tuple[tuple, str]] = []
    for key, value in items:
        if isinstance(key, str) and (problem := text_problem(key)):
            out.append(((key,), f"has a key that {problem}"))
        _walk(value, (key,), out)
    return out


def value_problems(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, message) for each part of ``value`` no database can store or no page can show: text
    with a NUL or a lone surrogate, a number that is infinite, NaN or too large, anything that is
    not text, a number, true/false, null, a list or a mapping, or nesting past MAX_NESTING. Shared
    by every format (each reader's bank goes through ``validate_bank``)."""
    out: list[tuple[tuple, str]] = []
    _walk(value, path, out)
    return out


def _walk(value: Any, path: tuple, out: list[tuple[tuple, str]]) -> None:
    if isinstance(value, str):
        problem = text_problem(value)
    elif value is None or isinstance(value, bool):
        problem = None
    elif isinstance(value, int):
        problem = "is a number too large to use" if value.bit_length() > 332 else None  # about 10**100
    elif isinstance(value, float):
        problem = None if math.isfinite(value) else "must be a finite number"
    elif isinstance(value, (dict, list, tuple)):
        if len(path) >= MAX_NESTING:
            out.append((path, f"nests lists and mappings more than {MAX_NESTING} levels deep"))
            return
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and (problem := text_problem(key)):
                out.append((path + (key,), f"has a key that {problem}"))
            _walk(item, path + (key,), out)
        return
    else:
        problem = f"is not a plain value (a {type(value).__name__})"
    if problem:
        out.append((path, problem))


def field_name(path: tuple) -> str | None:
    """A path inside a question as its issues name it: ``choices[2]``, ``alternatives[0].answer``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) and not isinstance(part, bool) else (
            f".{part}" if name else str(part))
    return name or None


def _common_values(q: Question) -> list[tuple[str, Any]]:
    """Every value of a question with its key in the file (the common keys, its fields, extras)."""
    values = [("id", q.id), ("type", q.type), *q.fields.items()]
    title = getattr(q, "title", "")
    if title:
        values.append(("title", title))
    values += [("explanation", q.explanation), ("source", q.source), ("evidence", q.evidence),
               ("tags", q.tags), ("difficulty", q.difficulty), ("format", q.format), *q.extra.items()]
    return values


def _length_problem(value: Any, limit: int) -> str | None:
    if isinstance(value, str) and len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit} fit"
    return None


def validate_question(q: Question) -> list[tuple[str | None, str]]:
    """(field, message) for every problem of one question."""
    problems: list[tuple[str | None, str]] = []
    too_long = _length_problem(q.id, MAX_ID_CHARS)
    if too_long:
        problems.append(("id", too_long))
    elif not isinstance(q.id, str) or not SLUG.match(q.id):
        problems.append(("id", "must be a short slug of letters, digits, '.', '_' or '-'"))
    if q.type not in REGISTRY:
        problems.append(("type", f"unknown type {q.type!r}; known: {', '.join(REGISTRY)}"))
    else:
        problems += [(e.field, e.message) for e in get_type(q.type).validate(q.fields)]
    if q.difficulty is not None and q.difficulty not in DIFFICULTIES:
        problems.append(("difficulty", f"must be one of {', '.join(DIFFICULTIES)}"))
    if q.format not in TEXT_FORMATS:
        problems.append(("format", f"must be one of {', '.join(TEXT_FORMATS)}"))
    if not isinstance(q.explanation, str):
        problems.append(("explanation", "must be text"))
    if not isinstance(q.title, str):
        problems.append(("title", "must be text"))
    for name, value in (("evidence", q.evidence), ("tags", q.tags)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append((name, "must be a text or a list of texts"))
    if isinstance(q.tags, list):
        problems += [(f"tags[{i}]", problem) for i, tag in enumerate(q.tags)
                     if (problem := _length_problem(tag, MAX_TAG_CHARS))]
    return problems


def validate_bank(bank: Bank, file: str, lines: dict[tuple, int] | None = None) -> list[BankIssue]:
    """Every problem of a bank, with the line of the field when ``lines`` maps paths to lines."""
    lines = lines or {}
    issues: list[BankIssue] = []
    too_long = _length_problem(bank.id, MAX_ID_CHARS)
    if too_long or not isinstance(bank.id, str) or not SLUG.match(bank.id):
        issues.append(BankIssue(file, lines.get(("id",), 1), too_long or "must be a short slug", field="id"))
    if not isinstance(bank.title, str) or not bank.title.strip():
        issues.append(BankIssue(file, lines.get(("title",), 1), "is required", field="title"))
    elif too_long := _length_problem(bank.title, MAX_TITLE_CHARS):
        issues.append(BankIssue(file, lines.get(("title",), 1), too_long, field="title"))
    if isinstance(bank.tags, list):
        issues += [BankIssue(file, _line_of(lines, ("tags", i)), problem, field=f"tags[{i}]")
                   for i, tag in enumerate(bank.tags) if (problem := _length_problem(tag, MAX_TAG_CHARS))]
    top = [("id", bank.id), ("title", bank.title), ("description", bank.description), ("tags", bank.tags),
           ("sources", bank.sources), *bank.extra.items()]
    issues += [BankIssue(file, _line_of(lines, path), message, field=field_name(path))
               for path, message in key_value_problems(top)]
    seen: dict[str, int] = {}
    for n, q in enumerate(bank.questions):
        qline = q.line or lines.get(("questions", n))
        broken = key_value_problems(_common_values(q))
        for path, message in broken:
            fld = field_name(path)
            issues.append(BankIssue(file, _field_line(lines, n, fld) or qline, message, field=fld,
                                    question=str(q.id)))
        # A value no page can show is reported alone: the type's own checks assume plain values.
        for fld, message in ([] if broken else validate_question(q)):
            line = _field_line(lines, n, fld) or qline
            issues.append(BankIssue(file, line, message, field=fld, question=str(q.id)))
        if q.id in seen:
            issues.append(BankIssue(file, lines.get(("questions", n, "id"), qline),
                                    f"repeats the id of the question at line {seen[q.id]}",
                                    field="id", question=str(q.id)))
        else:
            seen[q.id] = qline or 0
        if q.source is not None and bank.sources and q.source not in bank.sources:
            issues.append(BankIssue(file, lines.get(("questions", n, "source"), qline),
                                    f"names no entry of the bank's sources ({', '.join(bank.sources)})",
                                    field="source", question=str(q.id)))
    return issues


def scrub(value: Any) -> Any:
    """``value`` with every text made storable (NUL and lone surrogates as U+FFFD), for what is kept
    of a refused upload (its preview and issues): the refusal itself is ``value_problems``'."""
    if isinstance(value, str):
        if text_problem(value) is None:
            return value
        return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of ``path`` or of the nearest enclosing value the reader located."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1 if lines else None


def _field_line(lines: dict[tuple, int], n: int, fld: str | None) -> int | None:
    """Line of ``questions[n].<fld>``; ``fld`` may be a path such as ``choices[2]`` or ``weights.x``."""
    if not fld:
        return None
    path: list[Any] = ["questions", n]
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", fld):
        path.append(int(part[1:-1]) if part.startswith("[") else part)
    while len(path) > 2:
        if tuple(path) in lines:
            return lines[tuple(path)]
        path.pop()
    return None
