"""Uploads in progress: the file, where checking has got to, and what it found."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

# queued -> checking -> checked (preview shown) -> saving -> saved; or failed.
IMPORT_STATES = ("queued", "checking", "checked", "saving", "saved", "failed")


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16), default="auto")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # Source documents sent with the upload: {file name: text}.
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # After checking: issues (as dicts), question count, detected format, bank id and title.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
