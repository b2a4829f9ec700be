"""The site administrator's tools: find accounts, change roles, disable and enable, count things.

An administrator cannot change their own role or disable themselves: the site is never left
without one by a slip of the mouse (another administrator can do it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Bank, Classroom, Question, ReviewLog, User
from ..models.users import ROLES
from . import accounts
from .errors import NotFound, ServiceError
from .unit import unit_of_work

MAX_SEARCH = 254  # an email's longest form; longer searches are cut, not refused


class AdminError(ServiceError):
    """An administrator's request the rules refuse (their own account, an unknown role)."""


@dataclass(frozen=True)
class SiteCounts:
    users_by_role: dict[str, int]
    disabled: int
    unverified: int
    banks: int
    questions: int  # not retired
    classes: int
    reviews_today: int  # answers since midnight UTC

    @property
    def users(self) -> int:
        return sum(self.users_by_role.values())


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int
    query: str


def counts(now: datetime) -> SiteCounts:
    by_role = dict.fromkeys(ROLES, 0)
    by_role.update({role: n for role, n in db.session.execute(select(User.role, func.count()).group_by(User.role))})
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def count(*where, model=User) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return SiteCounts(
        users_by_role=by_role,
        disabled=count(User.disabled_at.is_not(None)),
        unverified=count(User.email_verified.is_(False)),
        banks=count(model=Bank),
        questions=count(Question.retired.is_(False), model=Question),
        classes=count(model=Classroom),
        reviews_today=count(ReviewLog.reviewed_at >= midnight, ReviewLog.reviewed_at < midnight + timedelta(days=1),
                            model=ReviewLog),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def users_page(query: str = "", page: int = 1, per_page: int | None = None) -> UserPage:
    """Accounts whose email contains ``query`` (any case), by email, one page at a time."""
    per_page = per_page or int(current_app.config["ADMIN_USERS_PER_PAGE"])
    query = (query or "").strip().lower()[:MAX_SEARCH]
    where = [User.email.like(f"%{_escape_like(query)}%", escape="\\")] if query else []
    total = db.session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    users = list(db.session.scalars(select(User).where(*where).order_by(User.email)
                                    .limit(per_page).offset((page - 1) * per_page)))
    return UserPage(users, total, page, pages, query)


def _other(admin: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    if user.id == admin.id:
        raise AdminError("You cannot change your own account here: ask another administrator.")
    return user


def set_role(admin: User, user_id: int, role: str) -> User:
    if role not in ROLES:
        raise AdminError(f"Choose a role: {', '.join(ROLES)}.")
    with unit_of_work():
        user = _other(admin, user_id)
        user.role = role
    current_app.logger.info("administrator %s made account %s a %s", admin.id, user.id, role)
    return user


def set_disabled(admin: User, user_id: int, disabled: bool, now: datetime) -> User:
    """Disabling ends every session of the account at once (its cookies stop working)."""
    with unit_of_work():
        user = _other(admin, user_id)
        user.disabled_at = (user.disabled_at or now) if disabled else None
        if disabled:
            accounts.end_all_sessions(user)
    current_app.logger.info("administrator %s %s account %s", admin.id, "disabled" if disabled else "enabled",
                            user.id)
    return user
