"""A study session limited to chosen questions ("Study just these" on the progress page).

The chosen question ids and the time the session began live in the (signed) session cookie.
/study shows only their cards, due or not, until each has been answered since then (a card
answered Again comes back after its relearning step), and then returns to all cards.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import flash, session

from ..models import User
from ..services import cards, study_queue

KEY = "study_focus"


@dataclass(frozen=True)
class Focus:
    question_ids: list[int]
    since: datetime


def start(question_ids: Sequence[int], now: datetime) -> None:
    session[KEY] = {"questions": list(question_ids), "since": now.isoformat()}


def clear() -> None:
    session.pop(KEY, None)


def current() -> Focus | None:
    data = session.get(KEY)
    if not data:
        return None
    try:
        return Focus([int(q) for q in data["questions"]], datetime.fromisoformat(data["since"]))
    except (KeyError, TypeError, ValueError):
        clear()
        return None


def next_pick(user: User, now: datetime) -> cards.Pick | None:
    """The next card of the chosen questions; None when there is no such session or it is done
    (then it ends, with a note saying so)."""
    chosen = current()
    if chosen is None:
        return None
    pick = study_queue.next_focus_card(user, chosen.question_ids, chosen.since, now)
    if pick is None:
        clear()
        n = len(chosen.question_ids)
        flash(f"You have studied the {n} chosen question{'' if n == 1 else 's'}: back to all your cards.", "success")
    return pick
