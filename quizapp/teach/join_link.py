"""A class's join link that survives signing in: a visitor who opens ``/join/<code>`` is asked to log
in or register, and the code waits in their session (auth.signin carries it over the login's fresh
session); the moment they are signed in, they join the class.

Guessing codes this way costs a login or a registration per guess, both throttled per address.
"""
from __future__ import annotations

from flask import flash, session

from ..models import User
from ..models.types import utcnow
from ..services import classes

KEY = "join_code"


def remember(code: str) -> None:
    session[KEY] = classes.normalise_code(code)[:32]


def join_remembered(user: User) -> bool:
    """Joins the class whose link brought this browser here, if any; True when it said something."""
    code = session.pop(KEY, None)
    if not code:
        return False
    classroom = classes.by_code(code)
    if classroom is None:
        flash("The class link you followed no longer works: ask your teacher for the new code.", "error")
        return True
    try:
        added = classes.join(user, classroom, utcnow())
    except classes.ClassError as exc:
        flash(str(exc), "error")
        return True
    flash(f"You joined {classroom.name}." if added else f"You are already in {classroom.name}.", "success")
    return True
