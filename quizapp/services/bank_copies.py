"""Banks a teacher may read without owning them (built-in ones, and those other teachers share),
and copying one into the teacher's own banks to edit.

A copy is a new bank of the copier's: its live questions, sources, documents and media as they are
now, and nothing of anyone's progress (learners start it afresh). The original does not change.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..banks.model import MAX_TITLE_CHARS
from ..extensions import db
from ..models import Bank, Document, Question, User
from ..models.content import BankSharing
from .bank_store import bank_as_parsed, free_slug, save_bank
from .documents import save_documents
from .unit import transactional

SHARED = (BankSharing.TEACHERS, BankSharing.SCHOOL)


def may_read(user: User, bank: Bank) -> bool:
    """Its owner and admins; any teacher for a built-in or shared bank."""
    if user.is_admin or (bank.owner_id == user.id and bank.owner_id is not None):
        return True
    return user.is_teacher and (bank.builtin or bank.sharing in SHARED)


def readable_bank(user: User, slug: str) -> Bank | None:
    """The bank if ``user`` may read it (None otherwise: the view answers 404, not a hint)."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    return bank if bank is not None and may_read(user, bank) else None


def library(user: User) -> list[tuple[Bank, int]]:
    """Banks the teacher may copy but does not own: built-in ones, then other teachers' shared ones,
    each with its live question count; none retired."""
    count = (select(Question.bank_id, func.count().label("n")).where(Question.retired.is_(False))
             .group_by(Question.bank_id).subquery())
    query = (select(Bank, func.coalesce(count.c.n, 0)).outerjoin(count, count.c.bank_id == Bank.id)
             .where(Bank.retired_at.is_(None), Bank.builtin.is_(True) | Bank.sharing.in_(SHARED),
                    (Bank.owner_id != user.id) | Bank.owner_id.is_(None))
             .order_by(Bank.builtin.desc(), Bank.title))
    return [(bank, n) for bank, n in db.session.execute(query).all()]


def _copy_title(title: str) -> str:
    suffix = " (copy)"
    return title[: MAX_TITLE_CHARS - len(suffix)] + suffix


@transactional
def copy(user: User, bank: Bank, now: datetime) -> Bank:
    """A new private bank of ``user``'s with the bank's live questions, sources, documents and media."""
    parsed = bank_as_parsed(bank)
    parsed.id = free_slug(bank.slug)
    parsed.title = _copy_title(bank.title)
    report = save_bank(parsed, now=now, owner=user)
    documents = {name: text for name, text in db.session.execute(
        select(Document.name, Document.text).where(Document.bank_id == bank.id))}
    save_documents(report.bank_id, documents, now)
    return db.session.get(Bank, report.bank_id)
