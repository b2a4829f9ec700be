"""Accounts: creating users, checking passwords, server-side login sessions, profile, deletion.

Each public function that writes is a unit of work (it commits), except ``create_user``,
``start_session``, ``set_password`` and ``end_all_sessions``: steps of a caller's unit (the CLI and
test factories commit their own).
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from zoneinfo import available_timezones

from sqlalchemy import bindparam, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Card, LoginSession, Question, ReviewLog, User
from ..models.reviews import NEW
from ..models.users import ROLES
from . import first_answers
from .errors import Conflict, ServiceError
from .unit import unit_of_work

# Werkzeug's scrypt: a memory-hard hash (n=2**15, r=8, p=1), as OWASP recommends.
HASH_METHOD = "scrypt"
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password", method=HASH_METHOD)
TIMEZONES = frozenset(available_timezones())


class AccountError(ServiceError):
    """A request the account rules refuse; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, password: str, *, name: str | None = None, role: str = "student",
                timezone: str = "UTC", day_start_hour: int = 4) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if timezone not in TIMEZONES:
        raise AccountError(f"unknown time zone {timezone!r}")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("an account with that email already exists")
    user = User(email=email, name=(name or email.split("@")[0]).strip()[:80], role=role,
                password_hash=generate_password_hash(password, method=HASH_METHOD),
                timezone=timezone, day_start_hour=day_start_hour)
    db.session.add(user)
    db.session.flush()
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register(email: str, password: str, *, name: str | None = None, role: str = "student",
             timezone: str = "UTC", verified: bool = True) -> tuple[User | None, User | None]:
    """Self-registration: ``(new user, None)``, or ``(None, existing account)`` when the address
    has an account. Both hash the password once, so neither answers faster (the route gives both
    the same response; docs/reliability.md). ``verified`` False: the account waits for its emailed
    link before it can sign in."""
    with unit_of_work():
        existing = find_by_email(email)
        if existing is not None:
            generate_password_hash(password, method=HASH_METHOD)
            return None, existing
        user = create_user(email, password, name=name, role=role, timezone=timezone)
        user.email_verified = verified
    return user, None


def authenticate(email: str, password: str) -> User | None:
    """The account if the password is right (disabled and unverified ones too: the caller says why
    it cannot sign in, to the owner only), else None after as long as a real check takes."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def password_is(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def set_password(user: User, new: str) -> None:
    user.password_hash = generate_password_hash(new, method=HASH_METHOD)


def start_session(user: User, user_agent: str = "") -> str:
    """A new server-side session id for this login (never reuses an earlier one)."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=session_id, user_id=user.id, user_agent=user_agent[:255]))
    user.login_session_id = session_id
    return session_id


def sign_in(user: User, user_agent: str = "") -> str:
    """Records a login: a new server-side session, whose id the caller hands to Flask-Login."""
    with unit_of_work():
        return start_session(user, user_agent)


def end_session(session_id: str | None) -> None:
    with unit_of_work():
        if session_id:
            db.session.execute(delete(LoginSession).where(LoginSession.id == session_id))


def end_all_sessions(user: User) -> None:
    """Every browser of the account is signed out (remember-me cookies included)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def change_password(user: User, current: str, new: str, user_agent: str = "") -> str:
    """Sets a new password and ends every session of the account, this one included: a copied
    cookie of this browser dies too. Returns the id of the new session that replaces this one."""
    with unit_of_work():
        if not password_is(user, current):
            raise AccountError("the current password is not right")
        set_password(user, new)
        end_all_sessions(user)
        return start_session(user, user_agent)


def update_profile(user: User, *, name: str) -> None:
    """The account's name (time zone and day start are study settings: study.settings)."""
    with unit_of_work():
        user.name = name.strip()[:80]


def change_email(user: User, new_email: str, *, verified: bool) -> None:
    """A new address (``verified``: reached by an emailed link); joins a caller's unit of work."""
    new_email = normalise_email(new_email)
    with unit_of_work():
        if db.session.scalar(select(User.id).where(User.email == new_email, User.id != user.id)) is not None:
            raise Conflict("That address is now used by another account; yours is unchanged.")
        user.email = new_email
        user.email_verified = user.email_verified or verified


def session_handle(session_id: str) -> str:
    """How a page names a session: not its id (the id is what a session cookie carries)."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:20]


def sessions_of(user: User) -> list[tuple[str, LoginSession]]:
    """The account's signed-in browsers, newest first, each with its handle."""
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                              .order_by(LoginSession.created_at.desc(), LoginSession.id))
    return [(session_handle(row.id), row) for row in rows]


def end_other_sessions(user: User, handle: str | None = None) -> int:
    """Ends one other session of ``user`` (by handle), or all others (``None``). Never this one."""
    ended = 0
    with unit_of_work():
        for row_handle, row in sessions_of(user):
            if row.id != user.login_session_id and (handle is None or row_handle == handle):
                db.session.delete(row)
                ended += 1
    return ended


def delete_account(user: User, password: str) -> None:
    """Deletes the account with everything that is only its own: cards, answers, quiz attempts,
    sessions, classes it owns (the database cascades). Banks it wrote stay, ownerless, for the
    administrators (banks.owner_id is SET NULL). Its first answers are taken out of the questions'
    running totals, as a rebuild from the remaining answers would."""
    with unit_of_work():
        if not password_is(user, password):
            raise AccountError("the password is not right")
        if user.is_admin and db.session.scalar(select(func.count()).select_from(User).where(
                User.role == "admin", User.disabled_at.is_(None))) <= 1:
            raise AccountError("you are the site's only administrator: make another account an admin first")
        logs = db.session.execute(
            select(ReviewLog, Question).join(Card, Card.id == ReviewLog.card_id)
            .join(Question, Question.id == Card.question_id)
            .where(ReviewLog.user_id == user.id, ReviewLog.kind == "study", ReviewLog.prior_state == NEW,
                   ReviewLog.score.is_not(None), ReviewLog.question_version == Question.version))
        for log, question in logs:
            first_answers.add(question, log, sign=-1)
        user_id = user.id
        db.session.expunge(user)
        db.session.execute(delete(User).where(User.id == user_id))


@functools.cache
def _session_user_statement():
    # One query, built once: every signed-in request runs it (two primary-key gets cost twice as much).
    return (select(User).join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.id == bindparam("session_id"), User.disabled_at.is_(None)))


def load_user_for_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the id in the cookie names a LoginSession row (of an enabled account)."""
    if not session_id:
        return None
    user = db.session.scalar(_session_user_statement(), {"session_id": session_id})
    if user is None:
        return None
    user.login_session_id = session_id
    return user
