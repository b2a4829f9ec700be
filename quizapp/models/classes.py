"""Classes: a teacher's group of students, joined with a code, and the banks assigned to it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .content import Bank
from .types import UTCDateTime, utcnow
from .users import User


class Classroom(db.Model):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What students type (or follow as a link) to join; unambiguous letters only.
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Archived (the school year is over): read-only, kept for its statistics; nobody joins it and its
    # banks leave its students' study.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    owner: Mapped[User] = relationship()
    members: Mapped[list[Membership]] = relationship(back_populates="classroom", passive_deletes=True,
                                                     order_by="Membership.joined_at")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="classroom", passive_deletes=True,
                                                         order_by="Assignment.assigned_at")


class Membership(db.Model):
    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Assignment(db.Model):
    __tablename__ = "class_banks"
    __table_args__ = (UniqueConstraint("class_id", "bank_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    bank: Mapped[Bank] = relationship()
