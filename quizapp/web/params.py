"""Numbers read from forms and query strings: bounded, ASCII, never a crash."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import request

from .security import MAX_ID

DAY_MS = 86_400_000


def number(text: str, limit: int = MAX_ID) -> int | None:
    """``text`` as an int if it is ASCII digits (optional minus) within ``limit``, else None: "²",
    "1e3" or a 5,000-digit id is no answer, not a crash in int() or in the database driver."""
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        return None
    value = int(text)
    return value if abs(value) <= limit else None


def form_int(name: str, default: int | None = None, limit: int = MAX_ID) -> int | None:
    value = number(request.form.get(name, ""), limit)
    return default if value is None else value


def duration_ms(now: datetime) -> int | None:
    """How long the learner took: the browser's measure when script sent one, else the time since the
    card was shown (``shown_at``, milliseconds since 1970, put in the form by the server)."""
    measured = form_int("duration_ms")
    if measured is not None and 0 <= measured < DAY_MS:
        return measured
    shown = form_int("shown_at", limit=10**15)
    if shown is None:
        return None
    elapsed = int(now.timestamp() * 1000) - shown
    return elapsed if 0 <= elapsed < DAY_MS else None


def shown_at() -> datetime | None:
    """When the server showed the answered card (the form's ``shown_at``), if the form says."""
    shown = form_int("shown_at", limit=10**15)
    return None if shown is None or shown < 0 else datetime.fromtimestamp(shown / 1000, UTC)
