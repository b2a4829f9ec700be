"""Saving parsed banks: idempotent, all or nothing, and kind to learners' progress.

Re-saving a bank updates its questions by id. A question whose answer changed gets a new
version and everyone's card for it starts fresh (its review history stays); a question that
disappeared is retired (hidden), never deleted with its history.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from ..banks import Bank as ParsedBank
from ..banks.model import MAX_ID_CHARS
from ..banks.native import question_to_dict
from ..extensions import db
from ..models import Bank, Card, Media, Question, User
from ..models.reviews import NEW
from . import first_answers
from .errors import Forbidden


class BankOwnershipError(Forbidden):
    """The bank id is already taken by a bank the saver does not own."""


def touch(bank: Bank, now: datetime) -> None:
    """Moves the bank's updated_at forward, even when two changes share a clock reading: caches of a
    bank's figures and contents (card totals, item analysis, its document list) are kept until it
    changes."""
    bank.updated_at = now if bank.updated_at is None or now > bank.updated_at \
        else bank.updated_at + timedelta(microseconds=1)


@dataclass
class SaveReport:
    bank_id: int
    slug: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (f"{self.slug}: {len(self.added)} added, {len(self.changed)} changed "
                f"({len(self.reset)} with a new answer: progress reset), {len(self.retired)} retired, "
                f"{self.unchanged} unchanged")


def save_bank(parsed: ParsedBank, *, now: datetime, owner: User | None = None,
              builtin: bool = False) -> SaveReport:
    """Creates or updates the bank ``parsed.id``. Flushes; the caller commits (all or nothing)."""
    # Everything CPU-bound first: on SQLite the first write below takes the database's write lock,
    # and learners' answers wait for it, so the time between that and the commit is kept short.
    prepared = [(q, position, question_to_dict(q), q.answer_hash(), q.content_hash())
                for position, q in enumerate(parsed.questions)]
    bank = db.session.scalar(select(Bank).where(Bank.slug == parsed.id))
    if bank is None:
        bank = Bank(slug=parsed.id, created_at=now, builtin=builtin, owner_id=owner.id if owner else None)
        db.session.add(bank)
    elif not may_replace(bank, owner, builtin):
        raise BankOwnershipError(f"the bank id {parsed.id!r} is already used by another bank")
    bank.title = parsed.title
    bank.description = parsed.description
    bank.tags = list(parsed.tags)
    bank.sources = dict(parsed.sources)
    bank.extra = dict(parsed.extra)
    touch(bank, now)
    db.session.flush()

    report = SaveReport(bank.id, bank.slug)
    current = {q.key: q for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))}
    seen = set()
    new_rows = []
    for q, position, data, answer_hash, content_hash in prepared:
        seen.add(q.id)
        row = current.get(q.id)
        if row is None:
            new_rows.append({"bank_id": bank.id, "key": q.id, "position": position, "type": q.type, "data": data,
                             "answer_hash": answer_hash, "content_hash": content_hash, "version": 1,
                             "retired": False})
            report.added.append(q.id)
            continue
        if row.content_hash == content_hash and row.position == position and not row.retired:
            report.unchanged += 1
            continue
        if row.answer_hash != answer_hash or row.type != q.type:
            row.version += 1
            _reset_cards(row)
            report.reset.append(q.id)
        row.type, row.data, row.position, row.retired = q.type, data, position, False
        row.answer_hash, row.content_hash = answer_hash, content_hash
        report.changed.append(q.id)
    if new_rows:  # one multi-row insert: a 10,000-question upload is written in a fraction of a second
        db.session.execute(insert(Question), new_rows)
    for key, row in current.items():
        if key not in seen and not row.retired:
            row.retired = True
            report.retired.append(key)
    _save_media(bank, parsed.media)
    db.session.flush()
    if new_rows:
        db.session.expire(bank, ["questions"])
    return report


def may_replace(bank: Bank, owner: User | None, builtin: bool) -> bool:
    """Whether saving as ``owner`` (None: the command line) may update ``bank``: its own owner, an
    admin (a teacher's bank keeps its owner; the upload preview promises admins this), or the
    command line for built-in and ownerless banks. Built-in and uploaded banks never replace each other."""
    if bank.builtin != builtin:
        return False
    if owner is None:
        return builtin or bank.owner_id is None
    return bank.owner_id in (None, owner.id) or (owner.is_admin and not bank.builtin)


def free_slug(slug: str) -> str:
    """The first ``<slug>-N`` (N = 2, 3, ...) no bank has: the id a clashing upload is saved under.
    ``slug`` is cut so the result still fits banks.slug (a longer id would be refused by PostgreSQL
    and fail the id rule, which would leave the bank uneditable)."""
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = slug[: MAX_ID_CHARS - len(suffix)] + suffix
        if db.session.scalar(select(Bank.id).where(Bank.slug == candidate)) is None:
            return candidate
        n += 1


def _reset_cards(question: Question) -> None:
    first_answers.forget(question.id)
    db.session.execute(
        update(Card).where(Card.question_id == question.id).values(
            state=NEW, step=None, stability=None, difficulty=None, due=None, last_review=None,
            reps=0, lapses=0, leech=False, buried_until=None, question_version=question.version,
        ).execution_options(synchronize_session=False)
    )


def _save_media(bank: Bank, media: dict[str, bytes]) -> None:
    existing = {m.name: m for m in db.session.scalars(select(Media).where(Media.bank_id == bank.id))}
    for name, data in media.items():
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        row = existing.get(name)
        if row is None:
            db.session.add(Media(bank_id=bank.id, name=name, content_type=content_type, data=data))
        else:
            row.data, row.content_type = data, content_type


def bank_as_parsed(bank: Bank) -> ParsedBank:
    """A stored bank back in the pure model (for export), its live questions in order."""
    from ..banks.native import question_from_dict

    questions = [question_from_dict(q.data) for q in bank.questions if not q.retired]
    media = {m.name: m.data for m in db.session.scalars(select(Media).where(Media.bank_id == bank.id))}
    return ParsedBank(id=bank.slug, title=bank.title, description=bank.description, tags=list(bank.tags),
                      sources=dict(bank.sources), questions=questions, media=media, extra=dict(bank.extra))
