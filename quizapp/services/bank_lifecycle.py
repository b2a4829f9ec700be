"""A bank as a whole: its title, description and sharing; retiring and restoring it; deleting it
while nobody has studied it.

Retiring is the way to put away a bank learners have used: it leaves every learner's study (the
catalog never lists a retired bank) and the class dropdowns, and keeps its questions and everyone's
history, so restoring brings it back as it was. Deleting removes the bank with its questions,
documents and media, so it is refused once anyone has answered one of its questions.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, union

from ..banks.model import MAX_TITLE_CHARS
from ..extensions import db
from ..models import Bank, Card, Question, QuizAttempt, QuizItem, ReviewLog
from ..models.content import BankSharing
from .errors import Conflict, ServiceError
from .unit import transactional

MAX_DESCRIPTION_CHARS = 2000
SHARING_LABELS = {
    BankSharing.PRIVATE: "Private: only you (and the classes you assign it to)",
    BankSharing.TEACHERS: "Shared with teachers: they may read, copy and assign it, not change it",
    BankSharing.SCHOOL: "Public: every student of the school may study it (and teachers copy it)",
}


@transactional
def update_details(bank: Bank, title: str, description: str, sharing: str, now: datetime) -> Bank:
    """Renames the bank, rewrites its description and sets who else sees it."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ServiceError("Give the bank a title.")
    if len(title) > MAX_TITLE_CHARS:
        raise ServiceError(f"The title is {len(title)} characters long; at most {MAX_TITLE_CHARS}.")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ServiceError(f"The description is {len(description)} characters long; at most {MAX_DESCRIPTION_CHARS}.")
    if sharing not in SHARING_LABELS:
        raise ServiceError(f"Sharing must be one of {', '.join(SHARING_LABELS)}.")
    if bank.builtin and sharing != bank.sharing:
        raise ServiceError("Built-in banks are for everyone already; their sharing does not change.")
    bank.title, bank.description, bank.sharing, bank.updated_at = title, description, sharing, now
    return bank


@transactional
def retire(bank: Bank, now: datetime) -> None:
    if bank.retired_at is None:
        bank.retired_at = now


@transactional
def restore(bank: Bank) -> None:
    bank.retired_at = None


def learners(bank: Bank) -> int:
    """How many learners have answered a question of the bank, in study or in a quiz."""
    studied = (select(ReviewLog.user_id).join(Card, Card.id == ReviewLog.card_id)
               .join(Question, Question.id == Card.question_id).where(Question.bank_id == bank.id))
    quizzed = (select(QuizAttempt.user_id).join(QuizItem, QuizItem.attempt_id == QuizAttempt.id)
               .join(Question, Question.id == QuizItem.question_id).where(Question.bank_id == bank.id))
    everyone = union(studied, quizzed).subquery()
    return db.session.scalar(select(func.count()).select_from(everyone)) or 0


@transactional
def delete(bank: Bank) -> str:
    """Deletes a bank nobody has studied, with its questions, documents and media (the classes it
    was assigned to lose it). Conflict, saying why and what to do instead, once anyone has."""
    n = learners(bank)
    if n:
        raise Conflict(f"{bank.title} cannot be deleted: {n} learner{' has' if n == 1 else 's have'} studied it. "
                       "Retire it instead: it leaves everyone's study and their history is kept.")
    title = bank.title
    db.session.delete(bank)
    return title
