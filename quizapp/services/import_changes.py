"""What saving an upload over an existing bank would do to learners: questions that change type or
right answer start afresh for everyone (bank_store.save_bank), so the preview says so first, with
how many learners that is.

The rule is save_bank's own: a question whose type or answer digest (``Question.answer_hash``)
differs from the stored one gets a new version and its cards reset. A learner counts when they
have answered the question at least once (a card with ``reps`` above 0): nothing else is lost.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..banks.model import Bank as ParsedBank
from ..banks.model import BankIssue
from ..domain.questions import REGISTRY
from ..extensions import db
from ..models import Card, Question


def _label(type_name: str) -> str:
    return REGISTRY[type_name].label.lower() if type_name in REGISTRY else type_name


def reset_warnings(parsed: ParsedBank, bank_id: int, file: str) -> list[BankIssue]:
    """A warning per question of ``parsed`` that would reset learners' progress in the stored bank
    ``bank_id``, and one for the file when there is any: each says how many learners restart."""
    stored = {key: (qid, qtype, answer) for key, qid, qtype, answer in db.session.execute(
        select(Question.key, Question.id, Question.type, Question.answer_hash).where(Question.bank_id == bank_id))}
    changes: list[tuple[object, int]] = []  # (parsed question, stored question id)
    for q in parsed.questions:
        old = stored.get(q.id)
        if old is not None and (old[1] != q.type or (q.type in REGISTRY and old[2] != q.answer_hash())):
            changes.append((q, old[0]))
    if not changes:
        return []
    learners = dict(db.session.execute(
        select(Card.question_id, func.count(func.distinct(Card.user_id)))
        .where(Card.question_id.in_([qid for _, qid in changes]), Card.reps > 0)
        .group_by(Card.question_id)).all())
    everyone = db.session.scalar(
        select(func.count(func.distinct(Card.user_id)))
        .where(Card.question_id.in_([qid for _, qid in changes]), Card.reps > 0)) or 0
    issues: list[BankIssue] = []
    to_flashcards = 0
    for q, qid in changes:
        old_type = stored[q.id][1]
        n = learners.get(qid, 0)
        what = (f"its type changes from {_label(old_type)} to {_label(q.type)}" if old_type != q.type
                else "its right answer changes")
        issues.append(BankIssue(file, q.line, f"{what}: on saving, {_learners(n)} this question afresh",
                                question=q.id, level="warning"))
        to_flashcards += old_type != q.type and q.type == "flashcard"
    many = len(changes) > 1
    summary = (f"saving changes the type or right answer of {len(changes)} question{'s' if many else ''} of "
               f"the bank: {_learners(everyone)} {'at least one of them' if many else 'it'} afresh (review "
               "history is kept)")
    if to_flashcards:
        summary += (f". {to_flashcards} turn{'s' if to_flashcards == 1 else ''} into flashcards: was the file "
                    "exported in a form that keeps only front and back (an .apkg, a CSV from before types were "
                    "kept)? Export the bank as YAML or CSV again to keep its types")
    return [BankIssue(file, None, summary, level="warning"), *issues]


def _learners(n: int) -> str:
    return "no learner has answered, so nobody starts" if n == 0 else \
        f"{n} learner{' starts' if n == 1 else 's start'}"
