"""Classes: creating, renaming, archiving and deleting them, joining with a code and leaving,
assigning banks, and who may see what. An archived class is read-only: the changing services
below refuse it (Conflict), its pages and statistics stay."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Assignment, Bank, Classroom, Membership, User
from ..models.content import BankSharing
from .errors import Conflict, NotFound, ServiceError
from .unit import transactional

# No 0/O, 1/I/L: codes are read aloud and copied from a board.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class ClassError(ServiceError):
    """Something a user asked for that cannot be done; the message says why."""


class ArchivedClass(ClassError, Conflict):
    """A change to an archived class (read-only)."""


def _open(classroom: Classroom) -> None:
    if classroom.archived_at is not None:
        raise ArchivedClass(f"{classroom.name} is archived, so it is read-only: restore it first.")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


@transactional
def create(owner: User, name: str, now: datetime) -> Classroom:
    classroom = Classroom(name=name.strip(), owner_id=owner.id, join_code=new_code(), created_at=now)
    db.session.add(classroom)
    db.session.flush()
    return classroom


@transactional
def rename(classroom: Classroom, name: str) -> Classroom:
    _open(classroom)
    name = (name or "").strip()
    if not name:
        raise ClassError("Give the class a name.")
    classroom.name = name
    return classroom


@transactional
def archive(classroom: Classroom, now: datetime) -> None:
    """Read-only from now on: kept for its statistics; its banks leave its students' study."""
    if classroom.archived_at is None:
        classroom.archived_at = now


@transactional
def restore(classroom: Classroom) -> None:
    classroom.archived_at = None


@transactional
def delete(classroom: Classroom) -> str:
    """Deletes the class with its roster and assignments (students keep their own progress)."""
    name = classroom.name
    db.session.delete(classroom)
    return name


def owned_by(user: User) -> list[Classroom]:
    query = select(Classroom).order_by(Classroom.archived_at.is_not(None), Classroom.name)
    if not user.is_admin:
        query = query.where(Classroom.owner_id == user.id)
    return list(db.session.scalars(query))


def managed(user: User, class_id: int) -> Classroom | None:
    """The class if ``user`` owns it (or is an admin), else None: others get a 404, not a hint."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not (user.is_admin or classroom.owner_id == user.id):
        return None
    return classroom


def by_code(code: str) -> Classroom | None:
    code = normalise_code(code)
    return db.session.scalar(select(Classroom).where(Classroom.join_code == code)) if code else None


@transactional
def join(user: User, classroom: Classroom, now: datetime) -> bool:
    """Adds ``user`` to the class; False when already a member (joining twice is harmless)."""
    if classroom.owner_id == user.id:
        raise ClassError("You teach this class; students join it with the code.")
    if classroom.archived_at is not None:
        raise ArchivedClass(f"{classroom.name} is archived: it takes no new students. Ask your teacher.")
    exists = db.session.scalar(select(Membership.id).where(
        Membership.class_id == classroom.id, Membership.user_id == user.id))
    if exists is not None:
        return False
    db.session.add(Membership(class_id=classroom.id, user_id=user.id, joined_at=now))
    db.session.flush()
    return True


def joined_by(user: User) -> list[Classroom]:
    return list(db.session.scalars(
        select(Classroom).join(Membership, Membership.class_id == Classroom.id)
        .where(Membership.user_id == user.id).order_by(Classroom.name)))


@transactional
def leave(user: User, class_id: int) -> Classroom:
    """Takes ``user`` out of the class (their progress is theirs and stays). NotFound when they are not
    in it: nobody learns which other classes exist."""
    membership = db.session.scalar(select(Membership).where(
        Membership.class_id == class_id, Membership.user_id == user.id))
    if membership is None:
        raise NotFound("You are not in that class.")
    classroom = membership.classroom
    db.session.delete(membership)
    return classroom


@transactional
def remove_member(classroom: Classroom, user_id: int) -> None:
    _open(classroom)
    membership = db.session.scalar(select(Membership).where(
        Membership.class_id == classroom.id, Membership.user_id == user_id))
    if membership is None:
        raise NotFound("That student is not in this class.")
    db.session.delete(membership)


def assignable_banks(user: User, classroom: Classroom | None = None) -> list[Bank]:
    """Built-in banks, the teacher's own and those other teachers share (every bank for an admin),
    none retired; with ``classroom``, only those not assigned to it yet."""
    query = select(Bank).where(Bank.retired_at.is_(None)).order_by(Bank.builtin, Bank.title)
    if not user.is_admin:
        query = query.where(Bank.builtin.is_(True) | (Bank.owner_id == user.id)
                            | Bank.sharing.in_((BankSharing.TEACHERS, BankSharing.SCHOOL)))
    if classroom is not None:
        query = query.where(Bank.id.not_in(select(Assignment.bank_id).where(Assignment.class_id == classroom.id)))
    return list(db.session.scalars(query))


@transactional
def assign(user: User, classroom: Classroom, bank_id: int, due_at: datetime | None, now: datetime) -> Assignment:
    """Assigns the bank, or changes the due date of a bank already assigned."""
    _open(classroom)
    if bank_id not in {b.id for b in assignable_banks(user)}:
        raise ClassError("You can assign built-in banks, your own and those other teachers share (not retired).")
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.class_id == classroom.id, Assignment.bank_id == bank_id))
    if assignment is None:
        assignment = Assignment(class_id=classroom.id, bank_id=bank_id, assigned_at=now)
        db.session.add(assignment)
    assignment.due_at = due_at
    db.session.flush()
    return assignment


@transactional
def unassign(classroom: Classroom, assignment_id: int) -> None:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != classroom.id:
        raise NotFound("That bank is not assigned to this class.")
    _open(classroom)
    db.session.delete(assignment)


def assigned_bank_ids(user: User) -> set[int]:
    """Banks assigned to any open class the user is in."""
    return set(db.session.scalars(
        select(Assignment.bank_id).join(Membership, Membership.class_id == Assignment.class_id)
        .join(Classroom, Classroom.id == Assignment.class_id)
        .where(Membership.user_id == user.id, Classroom.archived_at.is_(None))))


def teaches(teacher: User, student_id: int) -> bool:
    """True when the student is in one of the teacher's classes (admins teach everyone)."""
    if teacher.is_admin:
        return True
    return db.session.scalar(
        select(Membership.id).join(Classroom, Classroom.id == Membership.class_id)
        .where(Classroom.owner_id == teacher.id, Membership.user_id == student_id).limit(1)) is not None


@transactional
def renew_code(classroom: Classroom) -> str:
    """A new join code; the old one stops working."""
    _open(classroom)
    classroom.join_code = new_code()
    return classroom.join_code
