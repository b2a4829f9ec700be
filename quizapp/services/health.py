"""What /healthz checks: the database answers."""
from __future__ import annotations

from sqlalchemy import text

from ..extensions import db


def database_answers() -> bool:
    db.session.execute(text("SELECT 1"))
    return True
