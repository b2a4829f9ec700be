"""A study session limited to chosen questions ("Study just these" on the progress page and in the
card browser, and custom study).

The chosen question ids and the time the session began live in the (signed) session cookie.
/study shows only their cards, due or not, until each has been answered since then (a card
answered Again comes back after its relearning step), and then returns to all cards.

The card browser and custom study choose cards rather than questions (``cards``: a cloze question's
other deletions stay out), new ones included (services.custom_study.next_chosen_card). Such a
session may end with the study day (``until``) and carries a line saying what it is (``label``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import flash, session

from ..models import User
from ..services import cards, custom_study, study_queue

KEY = "study_focus"


@dataclass(frozen=True)
class Focus:
    question_ids: list[int]
    since: datetime
    cards: list[tuple[int, int]] | None = None
    until: datetime | None = None


def start(question_ids: Sequence[int], now: datetime) -> None:
    session[KEY] = {"questions": list(question_ids), "since": now.isoformat()}


def start_cards(keys: Sequence[tuple[int, int]], now: datetime, *, label: str,
                until: datetime | None = None) -> None:
    """A session of chosen cards (question, ordinal), named by ``label``, ending at ``until`` if given."""
    data = {"questions": list(dict.fromkeys(q for q, _ in keys)), "cards": [f"{q}:{o}" for q, o in keys],
            "since": now.isoformat(), "label": label}
    if until is not None:
        data["until"] = until.isoformat()
    session[KEY] = data


def clear() -> None:
    session.pop(KEY, None)


def current() -> Focus | None:
    data = session.get(KEY)
    if not data:
        return None
    try:
        keys = [(int(q), int(o)) for q, _, o in (k.partition(":") for k in data["cards"])] if "cards" in data else None
        until = datetime.fromisoformat(data["until"]) if data.get("until") else None
        return Focus([int(q) for q in data["questions"]], datetime.fromisoformat(data["since"]), keys, until)
    except (KeyError, TypeError, ValueError):
        clear()
        return None


def next_pick(user: User, now: datetime) -> cards.Pick | None:
    """The next card of the chosen questions; None when there is no such session or it is done
    (then it ends, with a note saying so)."""
    chosen = current()
    if chosen is None:
        return None
    if chosen.until is not None and now >= chosen.until:
        clear()
        flash("Your custom session ended with the study day: back to all your cards.", "info")
        return None
    if chosen.cards is not None:
        pick = custom_study.next_chosen_card(user, chosen.cards, chosen.since, now)
    else:
        pick = study_queue.next_focus_card(user, chosen.question_ids, chosen.since, now)
    if pick is None:
        clear()
        if chosen.cards is not None:
            n = len(chosen.cards)
            flash(f"You have studied the {n} chosen card{'' if n == 1 else 's'}: back to all your cards.", "success")
        else:
            n = len(chosen.question_ids)
            flash(f"You have studied the {n} chosen question{'' if n == 1 else 's'}: back to all your cards.",
                  "success")
    return pick
