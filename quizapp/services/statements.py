"""Core statements (select, insert, update) run on the session's own connection and transaction.

``db.session.execute`` of a Core ``select`` costs about 47 µs on SQLite before the database does
anything (the ORM's compile state and result handling; an ``insert`` of a mapped table goes through
the ORM's bulk path), the same statement on the session's connection about 17 µs. On the study loop's
pages (issue "The study loop at the speed of a local app") that is a tenth of the page. For
statements of columns, not ORM objects: no object in the session is loaded or updated by them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Executable

from ..extensions import db


def run(statement: Executable, params: dict[str, Any] | None = None) -> CursorResult:
    """``statement``'s result, in the session's transaction. Pending ORM changes are flushed first, as
    the session's own ``execute`` would, so a read sees what this request wrote."""
    session = db.session
    session.flush()
    return session.connection().execute(statement, params or {})
