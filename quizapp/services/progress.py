"""The learner dashboard's database side: a few bounded queries, then domain.progress does the sums.

What it reads, so that a page stays fast as the review history grows:
- the learner's card rows (one per card ever answered, a few thousand at most) for due counts,
  the forecast, card counts, mastery and the weakest cards;
- review counts for the past year grouped in SQL by the learner's study day (a range of the index
  ``user_id, reviewed_at``, at most 371 rows back), for the heatmap, the streak and today's reviews;
- the reviews of review-state cards of the last 12 weeks (same index) for true retention;
- question counts per type of the learner's banks, for the number of new cards.
Never the whole review log.
"""
from __future__ import annotations

import json
import weakref
from collections.abc import Collection
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Text, cast, func, literal_column, select

from ..banks.sanitize import html_to_text
from ..domain import progress as prog
from ..domain import scheduling as sched
from ..domain.questions import REGISTRY, get_type
from ..domain.questions.base import QuestionType
from ..domain.rating import PASS_SCORE
from ..extensions import db
from ..models import Bank, Card, Question, ReviewLog, User
from .catalog import accessible_bank_ids
from .sql_dates import as_date, aware, instants, study_date

FOCUS_LIMIT = 50  # questions one "study just these" session may hold (they travel in the session cookie)
PROMPT_CHARS = 160


def calendar_for(user: User) -> prog.StudyCalendar:
    return prog.StudyCalendar(user.timezone, user.day_start_hour)


def learner_cards(user: User, bank_ids: Collection[int]) -> list[prog.CardInfo]:
    """The learner's cards of live questions in ``bank_ids``, with their question's tags."""
    if not bank_ids:
        return []
    rows = db.session.execute(
        select(Card.id, Card.question_id, Question.bank_id, Card.state, Card.stability, Card.difficulty,
               *instants(Card.due, Card.last_review), Card.lapses, Card.leech, Card.suspended, Card.ordinal,
               _tags_column())
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.retired.is_(False))).all()
    return [prog.CardInfo(r[0], r[1], r[2], r[3], r[4], r[5], aware(r[6]), aware(r[7]), r[8], bool(r[9]), bool(r[10]),
                          r[11], _tags(r[12]))
            for r in rows]


def _tags_column():
    """The question's tags: on SQLite the JSON text (most questions have none: NULL, nothing to parse)."""
    if db.engine.dialect.name == "sqlite":
        return func.json_extract(Question.data, "$.tags")
    return Question.data["tags"]


def _tags(value) -> tuple[str, ...]:
    return _tags_of_text(value) if isinstance(value, str) else _tags_of(value)


@lru_cache(maxsize=4096)
def _tags_of_text(value: str) -> tuple[str, ...]:
    # A learner's thousand cards carry a few distinct tag lists: parse each once.
    return _tags_of(value)


def _tags_of(value) -> tuple[str, ...]:
    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)
    if isinstance(value, list):
        return tuple(sorted({str(t) for t in value if str(t).strip()}))
    return (str(value),) if isinstance(value, str) and value.strip() else ()


# Per database engine: (bank ids) -> (the banks' stamps, per bank, per tag). The totals change only
# when a bank is saved (bank_store moves updated_at on every save), yet reading them costs a scan of
# every question of the banks: the largest part of a dashboard at the growth benchmark's size.
_TOTALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TOTALS_KEPT = 512


def card_totals(bank_ids: Collection[int]) -> tuple[dict[int, int], dict[str, int]]:
    """Cards the live questions of ``bank_ids`` make, studied or not, per bank and per tag: one per
    question, except the types that make several (cloze: one per deletion), whose texts are read.
    Mastery divides by these, so cards never studied count (as not mastered).

    Kept per worker until one of the banks is saved again (its ``updated_at`` and slug are checked
    on every call: one indexed read of a few rows)."""
    key = tuple(sorted(set(bank_ids)))
    if not key:
        return {}, {}
    stamps = tuple(db.session.execute(select(Bank.id, Bank.updated_at, Bank.slug).where(Bank.id.in_(key))
                                      .order_by(Bank.id)).all())
    kept = _TOTALS.setdefault(db.engine, {})
    hit = kept.get(key)
    if hit is not None and hit[0] == stamps:
        return dict(hit[1]), dict(hit[2])
    per_bank, per_tag = _count_cards(key)
    if len(kept) >= _TOTALS_KEPT:
        kept.clear()
    kept[key] = (stamps, per_bank, per_tag)
    return dict(per_bank), dict(per_tag)


def _count_cards(bank_ids: Collection[int]) -> tuple[dict[int, int], dict[str, int]]:
    per_bank: dict[int, int] = {b: 0 for b in bank_ids}
    per_tag: dict[str, int] = {}
    if not bank_ids:
        return per_bank, per_tag
    live = (Question.bank_id.in_(bank_ids), Question.retired.is_(False))
    multi = [t for t in REGISTRY if type(get_type(t)).cards is not QuestionType.cards]
    tags = _tags_column()
    if db.engine.dialect.name != "sqlite":
        tags = cast(tags, Text)  # PostgreSQL has no equality on json: group by its text
    rows = db.session.execute(
        select(Question.bank_id, Question.type, tags, func.count())
        .where(*live, Question.type.not_in(multi)).group_by(Question.bank_id, Question.type, tags)).all()
    for bank_id, _, tags, n in rows:
        per_bank[bank_id] = per_bank.get(bank_id, 0) + n
        for tag in _tags(tags):
            per_tag[tag] = per_tag.get(tag, 0) + n
    for bank_id, qtype, data in db.session.execute(select(Question.bank_id, Question.type, Question.data)
                                                   .where(*live, Question.type.in_(multi))):
        n = len(get_type(qtype).cards(data))
        per_bank[bank_id] = per_bank.get(bank_id, 0) + n
        for tag in _tags_of(data.get("tags")):
            per_tag[tag] = per_tag.get(tag, 0) + n
    return per_bank, per_tag


def wrong_recently(user: User, since: datetime, card_ids: Collection[int] | None = None) -> dict[int, int]:
    """Per card, the answers since ``since`` rated Again or graded below the pass mark (learning steps
    and quizzes included): what "answered wrong recently" counts."""
    rows = db.session.execute(
        select(ReviewLog.card_id, func.count()).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= since,
            (ReviewLog.rating == sched.AGAIN) | (ReviewLog.score < PASS_SCORE))
        .group_by(ReviewLog.card_id)).all()
    return {card_id: n for card_id, n in rows if card_ids is None or card_id in card_ids}


def reviews_per_day(user: User, calendar: prog.StudyCalendar, first_day: date,
                    last_day: date) -> dict[date, int]:
    """Reviews on each study day from ``first_day`` to ``last_day``, counted in SQL (a range of the
    (user_id, reviewed_at) index, one row per day back)."""
    day = study_date(calendar, first_day, last_day).label("day")
    rows = db.session.execute(
        select(day, func.count()).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= calendar.start_of(first_day),
            ReviewLog.reviewed_at < calendar.start_of(last_day + timedelta(days=1)))
        .group_by(literal_column("day"))).all()
    return {as_date(d): n for d, n in rows}


def review_state_reviews(user: User, calendar: prog.StudyCalendar, first_day: date,
                         last_day: date) -> list[prog.Review]:
    """Answers to cards that were in the review state, from ``first_day`` to ``last_day``, in time order."""
    rows = db.session.execute(
        select(ReviewLog.card_id, study_date(calendar, first_day, last_day), ReviewLog.rating).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= calendar.start_of(first_day),
            ReviewLog.reviewed_at < calendar.start_of(last_day + timedelta(days=1)),
            ReviewLog.prior_state == sched.REVIEW)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all()
    return [prog.Review(card_id, as_date(day), rating) for card_id, day, rating in rows]


def plain_prompt(question: Question, ordinal: int) -> str:
    """The question's prompt as short plain text (for tables and CSV)."""
    return plain_prompt_of(question.type, question.data, ordinal)


def plain_prompt_of(qtype: str, data: dict, ordinal: int = 0) -> str:
    text = get_type(qtype).prompt(data, ordinal)
    if data.get("format") == "html":
        text = html_to_text(text)
    text = " ".join(text.split())
    return text if len(text) <= PROMPT_CHARS else text[:PROMPT_CHARS - 1].rstrip() + "…"


def dashboard_context(learner: User, now: datetime, bank_ids: Collection[int] | None = None) -> prog.Dashboard:
    """Everything the progress page shows about ``learner`` at ``now``.

    ``bank_ids`` limits cards, retention and mastery to those banks (a teacher's view of one class);
    by default, every bank the learner can study. The heatmap and streak count all their reviews.
    Read-only: the same data serves the learner's page and a teacher's view of the learner.
    """
    banks = sorted(accessible_bank_ids(learner) if bank_ids is None else set(bank_ids))
    calendar = calendar_for(learner)
    today = calendar.date_of(now)
    scheduler = sched.make_scheduler(learner.desired_retention, learner.fsrs_parameters, learner.timezone,
                                     learner.day_start_hour)
    titles = dict(db.session.execute(select(Bank.id, Bank.title).where(Bank.id.in_(banks))).all()) if banks else {}

    cards = learner_cards(learner, banks)
    recall = prog.recall_now(cards, now, scheduler)
    mastered = prog.mastered_cards(cards, now, scheduler, learner.desired_retention)
    bank_totals, tag_totals = card_totals(banks)
    wrong = wrong_recently(learner, now - prog.WRONG_WINDOW, {c.card_id for c in cards})

    first_heat = prog.heatmap_start(today)
    per_day = reviews_per_day(learner, calendar, first_heat, today)

    bank_of = {c.card_id: c.bank_id for c in cards}
    reviews = [r for r in review_state_reviews(learner, calendar, prog.retention_weeks_start(today), today)
               if r.card_id in bank_of]
    by_bank = prog.retention_by(reviews, lambda r: bank_of[r.card_id])
    total = prog.retention_by(reviews, lambda r: "all").get("all", prog.Retention())

    mastery_banks = prog.mastery_by(cards, mastered, bank_totals, lambda c: [c.bank_id])
    mastery_tags = prog.mastery_by(cards, mastered, tag_totals, lambda c: c.tags)
    weak = prog.weakest(cards, recall, learner.desired_retention, wrong, limit=None)
    monday = prog.week_start(today)
    this_week = sum(n for d, n in per_day.items() if monday <= d <= today)
    last_week = sum(n for d, n in per_day.items() if monday - timedelta(days=7) <= d < monday)

    return prog.Dashboard(
        learner=learner.name, now=now, today=today, calendar=calendar,
        desired_retention=learner.desired_retention,
        due=prog.due_today(cards, now, calendar),
        reviews_today=per_day.get(today, 0),
        forecast=prog.forecast(cards, now, calendar),
        heatmap=prog.heatmap(per_day, today),
        streak=prog.streak(per_day, today, first_heat),
        counts=prog.card_counts(cards, sum(bank_totals.values())),
        retention_weeks=prog.retention_by_week(reviews, today),
        retention_banks=sorted((prog.NamedRetention(titles.get(b, "?"), r) for b, r in by_bank.items()),
                               key=lambda n: n.name.lower()),
        retention_total=total,
        mastery_banks=sorted((prog.NamedMastery(titles.get(b, "?"), m) for b, m in mastery_banks.items()),
                             key=lambda n: n.name.lower()),
        mastery_tags=sorted((prog.NamedMastery(t, m) for t, m in mastery_tags.items()),
                            key=lambda n: (n.mastery.share, n.name.lower())),
        weakest=_weak_questions(weak[:prog.WEAKEST_LIMIT], titles),
        weak_total=len(weak),
        week=prog.WeekActivity(this_week, last_week),
    )


def _weak_questions(weak: list[prog.WeakCard], titles: dict[int, str]) -> list[prog.WeakQuestion]:
    ids = {w.card.question_id for w in weak}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))} if ids else {}
    return [prog.WeakQuestion(question_id=w.card.question_id, ordinal=w.card.ordinal,
                              prompt=plain_prompt(questions[w.card.question_id], w.card.ordinal),
                              bank=titles.get(w.card.bank_id, "?"), recall=w.recall, lapses=w.card.lapses,
                              leech=w.card.leech, wrong_recently=w.wrong_recently)
            for w in weak]


def focus_questions(learner: User, question_ids: Collection[int]) -> list[int]:
    """Of ``question_ids``, those the learner has studied cards of in their banks, in the order given
    (at most FOCUS_LIMIT): what a "study just these" session may hold."""
    wanted = list(dict.fromkeys(question_ids))[:FOCUS_LIMIT]
    banks = accessible_bank_ids(learner)
    if not wanted or not banks:
        return []
    found = set(db.session.scalars(
        select(Card.question_id).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == learner.id, Card.question_id.in_(wanted), Question.bank_id.in_(banks),
               Question.retired.is_(False), Card.suspended.is_(False))))
    return [q for q in wanted if q in found]
