"""The bank model every format reads into and writes from, and its validation."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..domain.questions import DIFFICULTIES, REGISTRY, get_type

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
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


def validate_question(q: Question) -> list[tuple[str | None, str]]:
    """(field, message) for every problem of one question."""
    problems: list[tuple[str | None, str]] = []
    if not isinstance(q.id, str) or not SLUG.match(q.id):
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
    for name, value in (("evidence", q.evidence), ("tags", q.tags)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append((name, "must be a text or a list of texts"))
    return problems


def validate_bank(bank: Bank, file: str, lines: dict[tuple, int] | None = None) -> list[BankIssue]:
    """Every problem of a bank, with the line of the field when ``lines`` maps paths to lines."""
    lines = lines or {}
    issues: list[BankIssue] = []
    if not isinstance(bank.id, str) or not SLUG.match(bank.id):
        issues.append(BankIssue(file, lines.get(("id",), 1), "must be a short slug", field="id"))
    if not isinstance(bank.title, str) or not bank.title.strip():
        issues.append(BankIssue(file, lines.get(("title",), 1), "is required", field="title"))
    seen: dict[str, int] = {}
    for n, q in enumerate(bank.questions):
        qline = q.line or lines.get(("questions", n))
        for fld, message in validate_question(q):
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
