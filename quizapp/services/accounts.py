"""Accounts: creating users, checking passwords, and server-side login sessions."""
from __future__ import annotations

import hashlib
import secrets
from zoneinfo import available_timezones

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginSession, User
from ..models.users import ROLES
from .errors import ServiceError

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


def register(email: str, password: str, *, name: str | None = None, role: str = "student",
             timezone: str = "UTC") -> tuple[User | None, int | None]:
    """Self-registration: ``(new user, None)``, or ``(None, existing account's id)`` when the address
    has an account. Both hash the password once, so neither answers faster (the route gives both
    the same response; docs/reliability.md). Flushes; the caller commits."""
    existing = db.session.scalar(select(User.id).where(User.email == normalise_email(email)))
    if existing is not None:
        generate_password_hash(password, method=HASH_METHOD)
        return None, existing
    return create_user(email, password, name=name, role=role, timezone=timezone), None


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def start_session(user: User, user_agent: str = "") -> str:
    """A new server-side session id for this login (never reuses an earlier one)."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=session_id, user_id=user.id, user_agent=user_agent[:255]))
    user.login_session_id = session_id
    return session_id


def end_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(delete(LoginSession).where(LoginSession.id == session_id))


def change_password(user: User, current: str, new: str, user_agent: str = "") -> str:
    """Sets a new password and ends every session of the account, this one included: a copied
    cookie of this browser dies too. Returns the id of the new session that replaces this one."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("the current password is not right")
    user.password_hash = generate_password_hash(new, method=HASH_METHOD)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return start_session(user, user_agent)


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
    for row_handle, row in sessions_of(user):
        if row.id != user.login_session_id and (handle is None or row_handle == handle):
            db.session.delete(row)
            ended += 1
    return ended


def load_user_for_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the id in the cookie names a LoginSession row."""
    row = db.session.get(LoginSession, session_id) if session_id else None
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is not None:
        user.login_session_id = session_id
    return user
