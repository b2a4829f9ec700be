"""Question banks as stored: banks, their questions (the native dict) and media."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .users import User


class BankSharing(StrEnum):
    """Who besides its owner sees an uploaded bank. Stored as the text."""

    PRIVATE = "private"  # its owner (and admins) only, and the classes it is assigned to
    TEACHERS = "teachers"  # other teachers may read, copy and assign it, not edit it
    SCHOOL = "school"  # as TEACHERS, and every student of the site may study it


class Bank(db.Model):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    builtin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Retired: out of every learner's study and every class dropdown, its questions and everyone's
    # history kept; restoring brings it back as it was.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sharing: Mapped[str] = mapped_column(String(16), default=BankSharing.PRIVATE,
                                         server_default=BankSharing.PRIVATE.value)

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position", passive_deletes=True
    )
    owner: Mapped[User | None] = relationship("User")


class Question(db.Model):
    """A question of a bank. ``data`` is the native question dict (banks.native)."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    answer_hash: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(32))
    # Bumped when the answer changes: earlier progress no longer counts (cards start fresh).
    version: Mapped[int] = mapped_column(default=1)
    retired: Mapped[bool] = mapped_column(default=False)

    bank: Mapped[Bank] = relationship(back_populates="questions")


class Media(db.Model):
    """An image that came with a bank (from an .apkg), served by name under the bank."""

    __tablename__ = "media"
    __table_args__ = (UniqueConstraint("bank_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Document(db.Model):
    """A source document of a bank (plain text or Markdown): evidence is checked against it and
    shown in its context after an answer. ``name`` is the file a bank source points at."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("bank_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
