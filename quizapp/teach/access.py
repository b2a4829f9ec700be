"""What a teacher may open: their own banks and classes (an admin every bank), and, read-only, the
banks other teachers share and the built-in ones. Anything else is a 404, not a 403, so a teacher
cannot learn which other banks or classes exist."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..models import Bank, Classroom
from ..services import bank_copies, bank_edit, classes


def own_bank(slug: str) -> Bank:
    bank = bank_edit.managed_bank(current_user, slug)
    if bank is None:
        abort(404)
    return bank


def own_class(class_id: int) -> Classroom:
    classroom = classes.managed(current_user, class_id)
    if classroom is None:
        abort(404)
    return classroom


def readable_bank(slug: str) -> Bank:
    """A bank the teacher may read: their own, a built-in one, or one another teacher shares."""
    bank = bank_copies.readable_bank(current_user, slug)
    if bank is None:
        abort(404)
    return bank
