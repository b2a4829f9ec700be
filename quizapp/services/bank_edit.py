"""Editing one question of a stored bank in the browser, by the loader's rules.

The edit goes through bank_store.save_bank like a re-upload, so the rules are the same: a changed
answer gives the question a new version (everyone's progress on it starts fresh, history kept),
and a deleted question is retired (hidden, its history kept).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..banks.model import BankIssue, validate_bank
from ..banks.model import Question as ParsedQuestion
from ..extensions import db
from ..models import Bank, ImportJob, Question, User
from ..models.imports import ImportStatus
from .bank_store import SaveReport, bank_as_parsed, save_bank
from .errors import NotFound
from .unit import transactional, unit_of_work


def put_question(bank: Bank, question: ParsedQuestion, now: datetime,
                 replacing: str | None = None) -> tuple[SaveReport | None, list[BankIssue]]:
    """Adds ``question`` or replaces the question ``replacing``, and commits. Returns the issues
    instead, saving nothing, when the bank would be invalid."""
    parsed = bank_as_parsed(bank)
    keys = [q.id for q in parsed.questions]
    if replacing is not None and replacing in keys:
        parsed.questions[keys.index(replacing)] = question
    else:
        parsed.questions.append(question)
    issues = [i for i in validate_bank(parsed, bank.slug) if i.question in (None, question.id)]
    if question.id != replacing and question.id in keys:
        issues.append(BankIssue(bank.slug, None, "another question of this bank has this id", "id", question.id))
    if issues:
        return None, issues
    with unit_of_work():
        return _save(bank, parsed, now), []


@transactional
def delete_question(bank: Bank, key: str, now: datetime) -> SaveReport:
    """Retires the question (its learners' history is kept)."""
    stored_question(bank, key)
    parsed = bank_as_parsed(bank)
    parsed.questions = [q for q in parsed.questions if q.id != key]
    return _save(bank, parsed, now)


def _save(bank: Bank, parsed, now: datetime) -> SaveReport:
    owner = db.session.get(User, bank.owner_id) if bank.owner_id else None
    return save_bank(parsed, now=now, owner=owner, builtin=bank.builtin)


def managed_bank(user: User, slug: str) -> Bank | None:
    """The bank if ``user`` owns it (admins manage every bank, built-in ones included)."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None or not (user.is_admin or (bank.owner_id == user.id and not bank.builtin)):
        return None
    return bank


def stored_question(bank: Bank, key: str) -> Question:
    """The bank's live question ``key`` (NotFound for a retired or unknown one)."""
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id, Question.key == key,
                                                        Question.retired.is_(False)))
    if question is None:
        raise NotFound(f"This bank has no question {key!r}.")
    return question


def teacher_overview(user: User) -> tuple[list, list[ImportJob]]:
    """The banks a teacher manages with their live question counts (every uploaded bank for an
    admin), and the teacher's latest unfinished uploads."""
    query = select(Bank, func.count(Question.id)).outerjoin(
        Question, (Question.bank_id == Bank.id) & Question.retired.is_(False)).group_by(Bank.id).order_by(Bank.title)
    query = query.where(Bank.builtin.is_(False))
    if not user.is_admin:
        query = query.where(Bank.owner_id == user.id)
    unsaved = select(ImportJob).where(ImportJob.owner_id == user.id, ImportJob.status != ImportStatus.SAVED)
    jobs = db.session.scalars(unsaved.order_by(ImportJob.created_at.desc()).limit(5))
    return list(db.session.execute(query).all()), list(jobs)
