"""One card of the learner's, with every answer given to it (Anki's "Card info"): when (in the
learner's time zone), how it was rated, the interval it gave, the answer typed or chosen and whether
it was right. Only a card of the learner's own banks (404 otherwise); a card never studied has an
empty history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..domain import scheduling as sched
from ..domain.progress import StudyCalendar
from ..domain.questions import get_type
from ..domain.rating import PASS_SCORE
from ..extensions import db
from ..models import Bank, Card, ReviewLog, User
from . import browse
from .cards import scheduler_for
from .progress import plain_prompt_of

MAX_ENTRIES = 500  # a card answered more often than this shows its latest 500 answers
KINDS = {"study": "Study", "quiz": "Quiz"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    at_text: str  # the learner's local date and time
    kind: str
    rating: str  # Again, Hard, Good, Easy
    interval: str  # what the answer gave: "10m", "4d"... ("" when not recorded)
    answer: str  # the answer typed or chosen, in one line
    right: bool
    overridden: bool  # a near-miss the learner counted as right
    self_rated: bool  # a flashcard: no answer typed, the learner rated themselves


@dataclass(frozen=True)
class History:
    question_id: int
    ordinal: int
    prompt: str
    bank_title: str
    type_label: str
    expected: str
    stage: str
    suspended: bool
    buried: bool
    leech: bool
    flag: int
    due: datetime | None
    due_text: str
    reps: int
    lapses: int
    stability: float | None
    entries: list[Entry]
    timezone: str
    today: date  # the learner's study day now (the earliest due date that can be set)
    due_day: date | None  # the study day the card is due on

    @property
    def key(self) -> str:
        return f"{self.question_id}:{self.ordinal}"

    @property
    def flag_name(self) -> str:
        return browse.FLAGS.get(self.flag, "")

    @property
    def is_new(self) -> bool:
        return self.stage == "New"


def _interval(log: ReviewLog, scheduler) -> str:
    """The interval the answer gave, from the card's state after it ("" if the log does not say)."""
    try:
        before = sched.CardState.from_json(log.state_before or {})
        after = sched.CardState.from_json(log.state_after or {})
    except (TypeError, ValueError):
        return ""
    if after.due is None:
        return ""
    return sched.interval_label(sched.interval_of(before, after, log.reviewed_at, scheduler))


def history(user: User, question_id: int, ordinal: int, now: datetime) -> History:
    """The learner's card ``question_id``:``ordinal`` and its answers, latest first; 404 for a card
    not among the learner's banks."""
    question = browse._own_questions(user, [(question_id, ordinal)])[question_id]
    qtype = get_type(question.type)
    card = db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question_id,
                                                Card.ordinal == ordinal))
    calendar = StudyCalendar(user.timezone, user.day_start_hour)
    entries: list[Entry] = []
    if card is not None:
        scheduler = scheduler_for(user)
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)
                                  .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()).limit(MAX_ENTRIES))
        for log in logs:
            wrong = log.rating == sched.AGAIN or (log.score is not None and log.score < PASS_SCORE)
            entries.append(Entry(
                at=log.reviewed_at, at_text=f"{log.reviewed_at.astimezone(calendar.zone):%Y-%m-%d %H:%M}",
                kind=KINDS.get(log.kind, log.kind.title()), rating=sched.RATING_NAMES.get(log.rating, "?"),
                interval=_interval(log, scheduler),
                answer=qtype.given_text(log.answer) if log.answer is not None else "",
                right=not wrong, overridden=bool(log.overridden), self_rated=not qtype.auto_graded))
    scheduled = card is not None and card.state != sched.NEW
    due = card.due if scheduled else None
    try:
        expected = qtype.expected(question.data, ordinal)
    except NotImplementedError:
        expected = ""
    return History(
        question_id=question_id, ordinal=ordinal, prompt=plain_prompt_of(question.type, question.data, ordinal),
        bank_title=db.session.scalar(select(Bank.title).where(Bank.id == question.bank_id)) or "?",
        type_label=qtype.label, expected=expected, stage=browse._stage(card),
        suspended=bool(card and card.suspended), buried=bool(card and card.buried_until and card.buried_until > now),
        leech=bool(card and card.leech), flag=card.flag if card is not None else 0, due=due,
        due_text=browse.due_text(due, now, calendar), reps=card.reps if card else 0,
        lapses=card.lapses if card else 0, stability=card.stability if scheduled else None, entries=entries,
        timezone=user.timezone, today=calendar.date_of(now), due_day=calendar.date_of(due) if due else None)
