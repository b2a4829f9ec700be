"""Editing one question of a stored bank in the browser, by the loader's rules.

The edit goes through bank_store.save_bank like a re-upload, so the rules are the same: a changed
answer gives the question a new version (everyone's progress on it starts fresh, history kept),
and a deleted question is retired (hidden, its history kept).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..banks.grounding import flag_quotes
from ..banks.model import Bank as ParsedBank
from ..banks.model import BankIssue, validate_bank
from ..banks.model import Question as ParsedQuestion
from ..banks.native import question_from_dict
from ..banks.readable_ids import id_from_text
from ..extensions import db
from ..models import Bank, Card, Document, ImportJob, Question, User
from ..models.imports import ImportStatus
from .bank_store import SaveReport, bank_as_parsed, save_bank
from .errors import Conflict, NotFound
from .import_changes import reset_warnings
from .unit import transactional, unit_of_work


def _with(bank: Bank, question: ParsedQuestion, replacing: str | None,
          sources: dict[str, dict[str, Any]] | None) -> tuple[ParsedBank, list[BankIssue]]:
    """The bank as it would be with ``question`` (and the new ``sources``), and what is wrong with it."""
    parsed = bank_as_parsed(bank)
    parsed.sources = {**parsed.sources, **(sources or {})}
    keys = [q.id for q in parsed.questions]
    if replacing is not None and replacing in keys:
        parsed.questions[keys.index(replacing)] = question
    else:
        parsed.questions.append(question)
    issues = [i for i in validate_bank(parsed, bank.slug) if i.question in (None, question.id)]
    if question.id != replacing and question.id in keys:
        issues.append(BankIssue(bank.slug, None, "another question of this bank has this id", "id", question.id))
    elif question.id != replacing and question.id in retired_keys(bank):
        issues.append(BankIssue(bank.slug, None, "a deleted question of this bank had this id (restore it from "
                                "the bank page, or choose another id)", "id", question.id))
    return parsed, issues


def put_question(bank: Bank, question: ParsedQuestion, now: datetime, replacing: str | None = None,
                 sources: dict[str, dict[str, Any]] | None = None) -> tuple[SaveReport | None, list[BankIssue]]:
    """Adds ``question`` or replaces the question ``replacing``, and commits. ``sources``: entries to
    add to the bank's sources (a document picked in the editor). Returns the issues instead, saving
    nothing, when the bank would be invalid."""
    parsed, issues = _with(bank, question, replacing, sources)
    if issues:
        return None, issues
    with unit_of_work():
        return _save(bank, parsed, now), []


def check_question(bank: Bank, question: ParsedQuestion, replacing: str | None = None,
                   sources: dict[str, dict[str, Any]] | None = None) -> tuple[list[BankIssue], list[str]]:
    """What saving ``question`` would meet, saving nothing: the errors that stop it, and the warnings
    the teacher confirms first (learners who restart the question, quotes not in the chosen document)."""
    parsed, errors = _with(bank, question, replacing, sources)
    if errors:
        return errors, []
    return [], edit_warnings(bank, parsed, question, replacing)


def edit_warnings(bank: Bank, parsed: ParsedBank, question: ParsedQuestion, replacing: str | None) -> list[str]:
    warnings: list[str] = []
    if replacing is not None and question.id != replacing:
        n = _learners(bank, replacing)
        if n:
            who = f"{n} learner{' starts' if n == 1 else 's start'}"
            warnings.append(f"Changing the id makes this a new question: {who} it afresh (their history of the "
                            "old one is kept).")
    elif replacing is not None and _learners(bank, replacing):
        # (Asked only when someone would restart: with no learner, a changed answer loses nothing.)
        single = ParsedBank(id=bank.slug, title=bank.title, questions=[question])
        warnings += [i.message[0].upper() + i.message[1:] + "." for i in reset_warnings(single, bank.id, "")
                     if i.question]
    documents = dict(db.session.execute(select(Document.name, Document.text).where(Document.bank_id == bank.id)).all())
    for issue in flag_quotes(question, parsed.sources, documents, bank.slug):
        warnings.append(("Evidence " + issue.message.removeprefix("evidence ") if issue.field == "evidence"
                         else "The question " + issue.message) + ".")
    return warnings


def _learners(bank: Bank, key: str) -> int:
    """Learners who have answered the question ``key`` at least once."""
    return db.session.scalar(
        select(func.count(func.distinct(Card.user_id))).join(Question, Question.id == Card.question_id)
        .where(Question.bank_id == bank.id, Question.key == key, Card.reps > 0)) or 0


def new_key(bank: Bank, text: str) -> str:
    """A readable id for a new question of the bank, from its text: unused by any question of the
    bank, deleted ones included (a deleted question keeps its id, to be restored)."""
    taken = set(db.session.scalars(select(Question.key).where(Question.bank_id == bank.id)))
    return id_from_text(text, taken)


def retired_keys(bank: Bank) -> set[str]:
    return set(db.session.scalars(select(Question.key).where(Question.bank_id == bank.id, Question.retired.is_(True))))


def retired_questions(bank: Bank) -> list[Question]:
    """The bank's deleted questions, the latest first: the bank page offers to restore them."""
    return list(db.session.scalars(select(Question).where(Question.bank_id == bank.id, Question.retired.is_(True))
                                   .order_by(Question.position.desc())))


@transactional
def restore_question(bank: Bank, key: str, now: datetime) -> SaveReport | None:
    """Brings a deleted question back where it was, with everyone's progress on it (None when it was
    not deleted). Refused when the bank has since changed so that it no longer fits (a source gone)."""
    row = db.session.scalar(select(Question).where(Question.bank_id == bank.id, Question.key == key))
    if row is None:
        raise NotFound(f"This bank has no question {key!r}.")
    if not row.retired:
        return None
    rows = [q for q in bank.questions if not q.retired or q.id == row.id]
    parsed = bank_as_parsed(bank)
    parsed.questions = [question_from_dict(q.data) for q in sorted(rows, key=lambda q: (q.position, q.id))]
    problems = [i for i in validate_bank(parsed, bank.slug) if i.question == key]
    if problems:
        raise Conflict(f"Question {key} cannot come back as it was: " + "; ".join(
            f"{i.field or 'question'} {i.message}" for i in problems) + ". Add it again instead.")
    return _save(bank, parsed, now)


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
