"""Accounts, roles and server-side login sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

ROLES = ("student", "teacher", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="student")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    day_start_hour: Mapped[int] = mapped_column(default=4)
    desired_retention: Mapped[float] = mapped_column(default=0.9)
    new_per_day: Mapped[int] = mapped_column(default=20)
    reviews_per_day: Mapped[int] = mapped_column(default=200)
    fsrs_parameters: Mapped[list[float] | None] = mapped_column(JSON, default=None)
    # "More new cards today": ``extra_new`` more new cards than new_per_day until the end of the
    # study day it was asked on (``extra_new_until``); then the usual limit again.
    extra_new: Mapped[int] = mapped_column(default=0, server_default="0")
    extra_new_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # False only for a self-registration awaiting its emailed link (REQUIRE_EMAIL_VERIFICATION);
    # accounts made by an administrator or the CLI, and those from before the setting, are verified.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Set by an administrator: a disabled account cannot sign in and its sessions are ended.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # Set per request by the user loader: the LoginSession row this request belongs to.
    login_session_id = None  # plain attribute, not a column

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie: the server-side session id, not the user id,
        # so that deleting the row ends the session (remember-me cookie included).
        return self.login_session_id or ""

    @property
    def is_teacher(self) -> bool:
        return self.role in ("teacher", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def settings(self) -> dict[str, Any]:
        return {"timezone": self.timezone, "day_start_hour": self.day_start_hour,
                "desired_retention": self.desired_retention, "new_per_day": self.new_per_day,
                "reviews_per_day": self.reviews_per_day}


class LoginSession(db.Model):
    """One signed-in browser. Created at login (a new id each time), deleted at logout."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
