"""Uploads in progress: the file, where checking has got to, and what it found."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ImportStatus(StrEnum):
    """queued -> checking -> checked (preview shown) -> saving -> saved; or failed. Stored as the text."""

    QUEUED = "queued"
    CHECKING = "checking"
    CHECKED = "checked"
    SAVING = "saving"
    SAVED = "saved"
    FAILED = "failed"


# The queue (quizapp/services/jobs.py): ``action`` is the work still to do ("check" or "save"), or
# None once the job has reached checked, saved or failed; ``worker`` is the worker running it (None
# while it waits); ``heartbeat_at`` is that worker's last sign of life.
IMPORT_ACTIONS = ("check", "save")


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16), default="auto")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # Source documents sent with the upload: {file name: text}.
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # After checking: issues (as dicts), question count, detected format, bank id and title.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str | None] = mapped_column(String(8), default=None)
    worker: Mapped[str | None] = mapped_column(String(120), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    attempts: Mapped[int] = mapped_column(default=0)  # times a worker has started this job's action

    __table_args__ = (
        # The queue's order: the oldest waiting job first.
        Index("ix_import_jobs_action_id", "action", "id"),
        # At most one running job per teacher, whatever the number of workers: a second claim for
        # the same owner fails on this index (partial indexes: SQLite 3.8 and PostgreSQL alike).
        Index("uq_import_jobs_running_owner", "owner_id", unique=True,
              sqlite_where=text("worker IS NOT NULL"), postgresql_where=text("worker IS NOT NULL")),
    )
