"""The card browser: every card of the learner's banks, searched and filtered in SQL, a page at a time.

A card is a question and one of its card numbers (most questions make card 0; a cloze question one
card per deletion, a reversed flashcard two). Card rows exist only for cards once answered or
suspended, so the cards are the learner's *slots* outer-joined to their card rows:

- one-card questions: one slot each, straight from the questions of the learner's banks (SQL);
- questions that make several cards: one slot per card number, from a small VALUES table built
  from their texts (read once per content hash and cached; a few rows per such question).

Every filter is a SQL condition on that join, so a page reads a count and at most ``PER_PAGE``
rows (plus the last answer of those rows), however many cards the learner has.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil

from sqlalchemy import Integer, Text, and_, cast, column, func, literal, or_, select, union_all, values
from sqlalchemy.dialects.postgresql import JSONB

from ..domain import scheduling as sched
from ..domain.progress import StudyCalendar
from ..domain.questions import REGISTRY, QuestionType, get_type
from ..domain.rating import PASS_SCORE
from ..extensions import db
from ..models import Bank, Card, Question, ReviewLog, User
from . import cards as card_rules
from .catalog import accessible_bank_ids
from .errors import NotFound, ServiceError
from .progress import plain_prompt_of
from .unit import transactional
from .writes import begin_write

PER_PAGE = 50
MAX_SEARCH_CHARS = 200
MAX_TAG_CHARS = 100
MAX_LAPSES = 9999
MAX_TAGS = 50
MAX_DAYS = 3650
# Slots of several-card questions travel as bound parameters (two each): well under SQLite's 32,766.
MAX_MULTI_SLOTS = 10_000
SEARCH_FIELDS = ("prompt", "front", "back", "text", "answer", "answers", "choices", "explanation")

STATES = {
    "new": "New",
    "learning": "Learning",
    "review": "Review",
    "suspended": "Suspended",
    "buried": "Buried",
    "leech": "Leech",
}
DUE = {"overdue": "Overdue", "today": "Due today", "week": "Due within 7 days", "month": "Due within 30 days"}
LAST = {"wrong": "Last answer wrong", "right": "Last answer right", "never": "Never answered"}
SORTS = {"order": "Bank order", "due": "Due date", "lapses": "Most lapses", "recent": "Last answered"}
# Anki's flags 1-4 (its colours and numbers); 0 is no flag.
FLAGS = {1: "Red", 2: "Orange", 3: "Green", 4: "Blue"}
FLAG_FILTERS = {"any": "Any flag", **{str(n): f"{name} flag" for n, name in FLAGS.items()}, "none": "No flag"}
ACTIONS = {"suspend": "Suspend", "unsuspend": "Unsuspend", "bury": "Bury", "unbury": "Unbury",
           "forget": "Reset to new", "reschedule": "Set due date", "flag": "Flag"}


class BrowseError(ServiceError):
    """A filter or an action the browser cannot apply (400 unless a subclass says otherwise)."""


class UnknownBrowseCard(BrowseError, NotFound):
    """A card not among the learner's banks (404, as for any card of another's bank)."""


@dataclass(frozen=True)
class Filter:
    """What the learner searched for; every field optional. Values are checked by the view's form."""

    text: str = ""
    bank_id: int | None = None
    tag: str = ""
    state: str = ""
    due: str = ""
    min_lapses: int | None = None
    last: str = ""
    sort: str = "order"
    flag: str = ""  # a key of FLAG_FILTERS
    # Custom study's filters: any of these tags; due within this many study days after today;
    # answered Again within this many days.
    any_tags: tuple[str, ...] = ()
    due_days: int | None = None
    forgotten_days: int | None = None

    def __post_init__(self) -> None:
        if len(self.text) > MAX_SEARCH_CHARS or any(len(t) > MAX_TAG_CHARS for t in (self.tag, *self.any_tags)):
            raise BrowseError("The search is too long.")
        if len(self.any_tags) > MAX_TAGS:
            raise BrowseError(f"Choose at most {MAX_TAGS} tags.")
        for days in (self.due_days, self.forgotten_days):
            if days is not None and not 0 <= days <= MAX_DAYS:
                raise BrowseError(f"Choose a number of days from 0 to {MAX_DAYS}.")
        for value, known, name in ((self.state, STATES, "state"), (self.due, DUE, "due"), (self.last, LAST, "last"),
                                   (self.sort, SORTS, "sort"), (self.flag, FLAG_FILTERS, "flag")):
            if value and value not in known:
                raise BrowseError(f"Unknown {name}: {value!r}.")


@dataclass(frozen=True)
class CardRow:
    question_id: int
    ordinal: int
    bank_title: str
    prompt: str
    type_label: str
    stage: str  # New, Learning, Relearning, Review
    suspended: bool
    buried: bool
    leech: bool
    due: datetime | None
    due_text: str
    lapses: int
    reps: int
    last_right: bool | None  # None: never answered
    last_at: datetime | None
    tags: tuple[str, ...] = ()
    flag: int = 0

    @property
    def flag_name(self) -> str:
        return FLAGS.get(self.flag, "")

    @property
    def key(self) -> str:
        """How the row's checkbox and buttons name the card."""
        return f"{self.question_id}:{self.ordinal}"


@dataclass(frozen=True)
class Page:
    rows: list[CardRow]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE
    capped: bool = False  # more several-card slots than MAX_MULTI_SLOTS: some new cards are not listed

    @property
    def first(self) -> int:
        return 0 if not self.rows else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


# -- the slots ---------------------------------------------------------------------------------------
def multi_card_types() -> list[str]:
    """Types whose questions can make more than one card (they override ``cards``)."""
    return sorted(name for name, qtype in REGISTRY.items() if type(qtype).cards is not QuestionType.cards)


# (question id, content hash) -> its card numbers: a question's cards change only with its content.
_ORDINALS: dict[tuple[int, str], tuple[int, ...]] = {}
_ORDINALS_MAX = 50_000


def _ordinals(rows: Sequence[tuple[int, str, str]]) -> dict[int, tuple[int, ...]]:
    """Card numbers of these (id, type, content hash) questions, reading the text of those not seen before."""
    out: dict[int, tuple[int, ...]] = {}
    missing: list[int] = []
    for qid, _, digest in rows:
        known = _ORDINALS.get((qid, digest))
        if known is None:
            missing.append(qid)
        else:
            out[qid] = known
    if missing:
        if len(_ORDINALS) + len(missing) > _ORDINALS_MAX:
            _ORDINALS.clear()
        query = select(Question.id, Question.type, Question.content_hash, Question.data)
        for qid, qtype, digest, data in db.session.execute(query.where(Question.id.in_(missing))):
            out[qid] = _ORDINALS[(qid, digest)] = tuple(get_type(qtype).cards(data))
    return out


def _slots(bank_ids: Sequence[int]):
    """(question_id, ordinal) of every card of the live questions of ``bank_ids``, and whether some
    several-card slots were left out (over MAX_MULTI_SLOTS)."""
    live = [Question.bank_id.in_(bank_ids), Question.retired.is_(False)]
    multi = multi_card_types()
    single = select(Question.id.label("question_id"), literal(0, Integer).label("ordinal")).where(
        *live, Question.type.not_in(multi))
    rows = db.session.execute(select(Question.id, Question.type, Question.content_hash)
                              .where(*live, Question.type.in_(multi)).order_by(Question.id)).all()
    ordinals = _ordinals(rows)
    pairs = [(qid, o) for qid, _, _ in rows for o in ordinals.get(qid, ())]
    capped = len(pairs) > MAX_MULTI_SLOTS
    if not pairs:
        return single.subquery("slots"), False
    table = values(column("question_id", Integer), column("ordinal", Integer), name="multi_slots").data(
        pairs[:MAX_MULTI_SLOTS]).cte("multi_slots")
    return union_all(single, select(table.c.question_id, table.c.ordinal)).subquery("slots"), capped


# -- SQL for the filters -------------------------------------------------------------------------------
def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def has_tag(tag: str):
    """The question's tags (a list, or one string) hold ``tag``."""
    if _is_sqlite():
        each = func.json_each(Question.data, "$.tags").table_valued("value")
        return select(literal(1)).select_from(each).where(each.c.value == tag).exists()
    # jsonb's ``?``: an element of an array, or the string itself.
    return func.jsonb_exists(func.coalesce(Question.data["tags"].cast(JSONB), func.jsonb_build_array()), tag)


def _text_matches(text: str):
    """Every word of ``text`` in one of the question's text fields (case-insensitive)."""
    fields = [Question.data[name].as_string() for name in SEARCH_FIELDS]
    return and_(*(or_(*(f.icontains(word, autoescape=True) for f in fields)) for word in text.split()))


def _last_log_id():
    """The card's latest answer (index ``card_id``), correlated to the outer query's card."""
    return select(func.max(ReviewLog.id)).where(ReviewLog.card_id == Card.id).correlate(Card).scalar_subquery()


def _wrong(log):
    return or_(log.rating == sched.AGAIN, and_(log.score.is_not(None), log.score < PASS_SCORE))


def _conditions(user: User, filt: Filter, now: datetime) -> list:
    """SQL conditions on slots joined to Question and (outer) Card."""
    out: list = []
    if filt.text.strip():
        out.append(_text_matches(filt.text))
    if filt.tag:
        out.append(has_tag(filt.tag))
    if filt.any_tags:
        out.append(or_(*(has_tag(t) for t in filt.any_tags)))
    state = {
        "new": or_(Card.id.is_(None), Card.state == sched.NEW),
        "learning": Card.state.in_([sched.LEARNING, sched.RELEARNING]),
        "review": Card.state == sched.REVIEW,
        "suspended": Card.suspended.is_(True),
        "buried": Card.buried_until > now,
        "leech": Card.leech.is_(True),
    }
    if filt.state:
        out.append(state[filt.state])
    if filt.due:
        day_start, day_end = card_rules.day_bounds(user, now)
        before = {"overdue": day_start, "today": day_end, "week": day_end + timedelta(days=6),
                  "month": day_end + timedelta(days=29)}[filt.due]
        out += [Card.state != sched.NEW, Card.due.is_not(None), Card.due < before]
    if filt.due_days is not None:
        _, day_end = card_rules.day_bounds(user, now)
        out += [Card.state != sched.NEW, Card.due.is_not(None), Card.due < day_end + timedelta(days=filt.due_days)]
    if filt.forgotten_days is not None:
        day_start, _ = card_rules.day_bounds(user, now)  # 1: today's mistakes; 2: since yesterday's start...
        since = day_start - timedelta(days=max(0, filt.forgotten_days - 1))
        out.append(select(ReviewLog.id).where(ReviewLog.card_id == Card.id, ReviewLog.rating == sched.AGAIN,
                                              ReviewLog.reviewed_at >= since).correlate(Card).exists())
    if filt.min_lapses:
        out.append(Card.lapses >= filt.min_lapses)
    if filt.flag == "any":
        out.append(Card.flag > 0)
    elif filt.flag == "none":
        out.append(or_(Card.id.is_(None), Card.flag == 0))
    elif filt.flag:
        out.append(Card.flag == int(filt.flag))
    if filt.last:
        if filt.last == "never":
            out.append(or_(Card.id.is_(None), _last_log_id().is_(None)))
        else:
            latest = ReviewLog.__table__.alias("latest")
            wrong = _wrong(latest.c)
            out.append(select(literal(1)).select_from(latest).where(
                latest.c.id == _last_log_id(), wrong if filt.last == "wrong" else ~wrong).exists())
    return out


def _order(sort: str, slots) -> list:
    tie = [Question.bank_id, Question.position, slots.c.question_id, slots.c.ordinal]
    if sort == "due":
        return [Card.due.is_(None), Card.due, *tie]
    if sort == "lapses":
        return [func.coalesce(Card.lapses, 0).desc(), *tie]
    if sort == "recent":
        return [Card.last_review.is_(None), Card.last_review.desc(), *tie]
    return tie


def _joined(user: User, slots, filt: Filter, now: datetime, *columns):
    """``columns`` of the slots joined to their question and (outer) the learner's card, filtered."""
    return (select(*columns).select_from(slots)
            .join(Question, Question.id == slots.c.question_id)
            .outerjoin(Card, and_(Card.user_id == user.id, Card.question_id == slots.c.question_id,
                                  Card.ordinal == slots.c.ordinal))
            .where(*_conditions(user, filt, now)))


def _bank_ids(user: User, filt: Filter) -> list[int]:
    allowed = accessible_bank_ids(user)
    if filt.bank_id is not None:
        return [filt.bank_id] if filt.bank_id in allowed else []
    return sorted(allowed)


# -- the page ------------------------------------------------------------------------------------------
def browse(user: User, filt: Filter, page: int, now: datetime) -> Page:
    """One page of the learner's cards matching ``filt`` (a page number past the end shows the last page)."""
    bank_ids = _bank_ids(user, filt)
    if not bank_ids:
        return Page([], 0, 1, 1)
    slots, capped = _slots(bank_ids)
    total = db.session.scalar(_joined(user, slots, filt, now, func.count())) or 0
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    query = _joined(user, slots, filt, now, slots.c.question_id, slots.c.ordinal, Question.type, Question.data,
                    Question.bank_id, Card)
    rows = db.session.execute(query.order_by(*_order(filt.sort, slots))
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    last = _last_answers([card.id for *_, card in rows if card is not None])
    titles = dict(db.session.execute(select(Bank.id, Bank.title).where(Bank.id.in_({r[4] for r in rows}))).all())
    calendar = StudyCalendar(user.timezone, user.day_start_hour)
    out = []
    for qid, ordinal, qtype, data, bank_id, card in rows:
        right, at = last.get(card.id, (None, None)) if card is not None else (None, None)
        out.append(CardRow(
            question_id=qid, ordinal=ordinal, bank_title=titles.get(bank_id, "?"),
            prompt=plain_prompt_of(qtype, data, ordinal), type_label=get_type(qtype).label,
            stage=_stage(card), suspended=bool(card and card.suspended),
            buried=bool(card and card.buried_until and card.buried_until > now), leech=bool(card and card.leech),
            due=card.due if card is not None and card.state != sched.NEW else None,
            due_text=due_text(card.due if card is not None and card.state != sched.NEW else None, now, calendar),
            lapses=card.lapses if card else 0, reps=card.reps if card else 0, last_right=right, last_at=at,
            tags=_tags(data.get("tags")), flag=card.flag if card is not None else 0))
    return Page(out, total, page, pages, capped=capped)


def _stage(card: Card | None) -> str:
    if card is None or card.state == sched.NEW:
        return "New"
    return {sched.LEARNING: "Learning", sched.RELEARNING: "Relearning"}.get(card.state, "Review")


def _tags(value) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(sorted({str(t) for t in value if str(t).strip()}))
    return (value,) if isinstance(value, str) and value.strip() else ()


def _last_answers(card_ids: list[int]) -> dict[int, tuple[bool, datetime]]:
    """Per card, whether its latest answer (study or quiz) was right, and when: one row per card."""
    if not card_ids:
        return {}
    latest = select(func.max(ReviewLog.id)).where(ReviewLog.card_id.in_(card_ids)).group_by(ReviewLog.card_id)
    rows = db.session.execute(select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.score, ReviewLog.reviewed_at)
                              .where(ReviewLog.id.in_(latest))).all()
    return {cid: (not (rating == sched.AGAIN or (score is not None and score < PASS_SCORE)), at)
            for cid, rating, score, at in rows}


def due_text(due: datetime | None, now: datetime, calendar: StudyCalendar) -> str:
    """When a card is due, in the learner's study days: "in 5 min", "today", "tomorrow", "in 3 days",
    "2 days ago"; "" for a new card."""
    if due is None:
        return ""
    if now <= due < now + timedelta(hours=1):
        return f"in {max(1, round((due - now).total_seconds() / 60))} min"
    days = (calendar.date_of(due) - calendar.date_of(now)).days
    if days == 0:
        return "today" if due <= now else f"today {due.astimezone(calendar.zone):%H:%M}"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def bank_choices(user: User) -> list[tuple[int, str]]:
    """The learner's banks (id, title) for the bank filter, by title."""
    ids = accessible_bank_ids(user)
    if not ids:
        return []
    return [(b, t) for b, t in db.session.execute(
        select(Bank.id, Bank.title).where(Bank.id.in_(ids)).order_by(Bank.title, Bank.id))]


def _tags_column():
    # SQLite: the JSON text of the list (NULL for most questions); PostgreSQL: its text, to group by.
    if _is_sqlite():
        return func.json_extract(Question.data, "$.tags")
    return cast(Question.data["tags"], Text)


def tag_choices(user: User, bank_ids: Sequence[int] | None = None) -> list[str]:
    """Every tag of the live questions of the learner's banks: one row per distinct tag list, not per question."""
    ids = sorted(accessible_bank_ids(user)) if bank_ids is None else list(bank_ids)
    if not ids:
        return []
    tags: set[str] = set()
    column_ = _tags_column()
    for (value,) in db.session.execute(select(column_).where(Question.bank_id.in_(ids), Question.retired.is_(False),
                                                             column_.is_not(None)).group_by(column_)):
        parsed = json.loads(value) if isinstance(value, str) and value[:1] in "[\"" else value
        tags.update(_tags(parsed))
    return sorted(tags, key=str.lower)


def suspended_count(user: User, bank_ids: Sequence[int]) -> int:
    """How many of the learner's cards of ``bank_ids`` are suspended (the study page's link to them)."""
    if not bank_ids:
        return 0
    return db.session.scalar(select(func.count(Card.id)).join(Question, Question.id == Card.question_id).where(
        Card.user_id == user.id, Card.suspended.is_(True), Question.bank_id.in_(list(bank_ids)),
        Question.retired.is_(False))) or 0


# -- what "study just these" takes -------------------------------------------------------------------
def focus_cards(user: User, filt: Filter, now: datetime, limit: int, *, within: Sequence[int] | None = None,
                one_per_question: bool = False) -> tuple[list[tuple[int, int]], int]:
    """The cards matching ``filt`` that can be studied now (not suspended or buried), in the browser's
    order: the first ``limit`` (question, ordinal), and how many there are in all. ``within`` narrows
    the banks further; ``one_per_question`` keeps the first card of each question (a question's new
    cards come one a day)."""
    bank_ids = _bank_ids(user, filt)
    if within is not None:
        bank_ids = [b for b in bank_ids if b in set(within)]
    if not bank_ids or limit <= 0:
        return [], 0
    live = or_(Card.id.is_(None), and_(Card.suspended.is_(False),
                                       or_(Card.buried_until.is_(None), Card.buried_until <= now)))
    slots, _ = _slots(bank_ids)
    query = _joined(user, slots, filt, now, slots.c.question_id, slots.c.ordinal).where(live)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(*_order(filt.sort, slots))
    if not one_per_question:
        return [tuple(r) for r in db.session.execute(ordered.limit(limit))], total
    chosen: dict[int, tuple[int, int]] = {}
    offset, chunk = 0, limit * 4
    while len(chosen) < limit:  # read until ``limit`` questions (siblings are several rows)
        rows = db.session.execute(ordered.limit(chunk).offset(offset)).all()
        for qid, ordinal in rows:
            chosen.setdefault(qid, (qid, ordinal))
        if len(rows) < chunk:
            break
        offset += chunk
    return list(chosen.values())[:limit], total


# -- actions -----------------------------------------------------------------------------------------
def parse_keys(keys: Sequence[str], limit: int = PER_PAGE) -> list[tuple[int, int]]:
    """"question:ordinal" keys (from the page's checkboxes and buttons) as pairs; malformed ones refused."""
    out: list[tuple[int, int]] = []
    for key in keys[:limit + 1]:
        qid, sep, ordinal = key.partition(":")
        if not (sep and qid.isascii() and qid.isdigit() and ordinal.isascii() and ordinal.isdigit()
                and len(qid) < 10 and len(ordinal) < 10):
            raise BrowseError(f"Not a card: {key[:40]!r}.")
        out.append((int(qid), int(ordinal)))
    if len(out) > limit:
        raise BrowseError(f"Choose at most {limit} cards at a time.")
    return list(dict.fromkeys(out))


def _own_questions(user: User, keys: Sequence[tuple[int, int]]) -> dict[int, Question]:
    """The questions of ``keys``, each checked to be live in the learner's banks and to make that card;
    any other is refused (404), whoever's it is."""
    if not keys:
        raise BrowseError("Choose at least one card.")
    allowed = accessible_bank_ids(user)
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_({qid for qid, _ in keys}), Question.retired.is_(False)))}
    for qid, ordinal in keys:
        question = questions.get(qid)
        if question is None or question.bank_id not in allowed or ordinal not in get_type(question.type).cards(
                question.data):
            raise UnknownBrowseCard("That card is not in any of your banks.")
    return questions


def own_cards(user: User, keys: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ticked cards, each checked to be the learner's to study (404 otherwise), in the order ticked."""
    _own_questions(user, keys)
    return list(keys)


class CannotApply(BrowseError):
    """An action the chosen cards cannot take (a due date missing or out of range, a new card given a
    date); nothing changed (400)."""


def due_of_day(user: User, day: date, now: datetime) -> datetime:
    """When a card set due on the learner's study day ``day`` becomes due: the start of that day, as
    the scheduler dates reviews. Today or later, at most MAX_DAYS ahead."""
    calendar = StudyCalendar(user.timezone, user.day_start_hour)
    today = calendar.date_of(now)
    if not today <= day <= today + timedelta(days=MAX_DAYS):
        raise CannotApply(f"Choose a day from today ({today:%Y-%m-%d}) to {MAX_DAYS} days ahead.")
    return calendar.start_of(day)


@transactional
def apply(user: User, action: str, keys: Sequence[tuple[int, int]], now: datetime, *, flag: int | None = None,
          due_on: date | None = None) -> int:
    """Applies ``action`` to the learner's cards ``keys``, all or none; the number changed. A card of a
    bank the learner cannot study, or one its question does not make, is refused (404) and nothing
    changes; so is a due date for a card that is new (400).

    - suspend/unsuspend, bury (until the next study day)/unbury: nothing of the schedule changes;
    - flag: sets the coloured flag ``flag`` (1-4; 0 takes it off);
    - forget (Anki's "Reset"/"Forget"): the card is new again and comes back in bank order with the
      new cards; its answers are kept, and so are its counts of reviews and lapses (as Anki by default);
    - reschedule (Anki's "Set due date"): the card is due on the study day ``due_on``; a review card
      keeps its memory (stability, difficulty, last answer), so the next answer is scheduled from the
      real time since the last one, as Anki does with FSRS; a learning card becomes a review card due
      that day. A new card cannot be given a date: Anki would invent an interval for it, here it has
      no memory to schedule (study it, or reset it, first)."""
    if action not in ACTIONS:
        raise BrowseError(f"Unknown action: {action[:40]!r}.")
    questions = _own_questions(user, keys)  # another's card: 404 before anything else is said
    if action == "flag" and flag not in (0, *FLAGS):
        raise CannotApply("Choose a flag colour, or no flag.")
    if action == "reschedule":
        if due_on is None:
            raise CannotApply("Choose the day the cards should be due.")
        due = due_of_day(user, due_on, now)
    begin_write()
    _, day_end = card_rules.day_bounds(user, now)
    changed = 0
    for qid, ordinal in keys:
        # Taking back, resetting or dating a card never studied: nothing to change, no row made.
        if action in ("unsuspend", "unbury", "forget", "reschedule") or (action == "flag" and flag == 0):
            card = db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == qid,
                                                        Card.ordinal == ordinal).with_for_update())
            if card is None:
                if action == "reschedule":
                    raise CannotApply("A new card cannot be given a due date: study it first. Nothing was changed.")
                continue
        else:
            card = card_rules.card_for_update(user, questions[qid], ordinal)
        before = _schedule_of(card)
        if action in ("suspend", "unsuspend"):
            card.suspended = action == "suspend"
        elif action in ("bury", "unbury"):
            card.buried_until = day_end if action == "bury" else None
        elif action == "flag":
            card.flag = flag
        elif action == "forget":
            if card.state != sched.NEW:
                card.state, card.step, card.stability, card.difficulty = sched.NEW, None, None, None
                card.due = card.last_review = None
                card.reset_at = now
        else:
            if card.state == sched.NEW or card.stability is None:
                raise CannotApply("A new card cannot be given a due date: study it first. Nothing was changed.")
            if card.state in (sched.LEARNING, sched.RELEARNING):
                card.state, card.step = sched.REVIEW, None
            card.due = due
        changed += _schedule_of(card) != before
    return changed


def _schedule_of(card: Card) -> tuple:
    return (card.suspended, card.buried_until, card.flag, card.state, card.step, card.stability, card.due,
            card.last_review)
