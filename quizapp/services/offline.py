"""Offline study (issue #22): the pack of cards a device takes away, and the answers it brings back.

The pack holds what the browser needs to show, grade and schedule the next cards without the
server: the cards due within a horizon and today's new cards within the daily limits, with the
learner's scheduler settings. Quizzes are never in it.

A sync batch is checked as a whole first (sizes, types, dates: any breach refuses all of it,
nothing written), then each answer is applied on its own, in order of the time it was given, as
if it had been given online at that time:

- an answer later than the card's latest answer is recorded by ``answers.record_answer`` with
  ``now`` = its time (the online path itself);
- an answer older than the card's latest answer (a second device, an earlier batch arriving late)
  is inserted in the card's history and the card's state is replayed from there in time order
  (``answers.replay_logs``), so the card ends as answering online in time order would have left it;
- an answer to an older version of the question is kept in the log and the card follows the change
  rule (it moves nothing of the newer version's schedule);
- the same client id twice is applied once.

Every answer is one transaction (its log row, its card and the statistics together), so an answer
is never half written; a refused answer writes nothing. See docs/offline.md for the API.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..domain import scheduling as sched
from ..domain.questions import Outcome, QuestionType, get_type
from ..domain.rating import RECENT, suggest_rating, typical_seconds
from ..extensions import db
from ..models import Bank, Card, Question, ReviewLog, User
from . import answers, bank_options, first_answers, study_queue
from .cards import (
    AskAgain,
    Pick,
    StaleCard,
    StudyError,
    card_for_update,
    card_state,
    card_version,
    day_bounds,
    fuzz_seed,
    graded_data,
    load_question,
    scheduler_for,
)
from .catalog import accessible_bank_ids
from .errors import ServiceError

PACK_VERSION = 1
HORIZON_DAYS = 7
MAX_HORIZON_DAYS = 30
PACK_LIMIT = 500  # cards in one pack

MAX_BODY_BYTES = 1024 * 1024  # a sync request's body
# Answers in one sync request: each is its own transaction (about 10-40 ms on SQLite, its commit most of
# it), so a full batch stays well within a worker's 30-second timeout. More go in several requests.
MAX_ANSWERS = 200
MAX_CLIENT_ID = 64
MAX_ANSWER_BYTES = 8 * 1024  # one answer's fields or response, as JSON
MAX_FIELD_NAMES = 100
MAX_FIELD_VALUES = 100
MAX_ID = 2**31 - 1
DAY_MS = 86_400_000
MAX_AGE = timedelta(days=30)  # an answer given longer ago than this is refused


class BatchError(ServiceError):
    """A sync batch refused as a whole (nothing written): ``where`` names the offending part."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.where = where


# -- the pack -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    user: User
    generated_at: datetime
    horizon_days: int
    banks: list[Bank]
    cards: list[Pick]
    new_done: int
    reviews_done: int
    day_start: datetime
    day_end: datetime


def _due_cards(user: User, bank_ids: list[int], now: datetime, until: datetime, limit: int) -> list[Pick]:
    """The learner's started cards due before ``until`` (soonest first), with their questions and banks."""
    if limit <= 0:
        return []
    query = (select(Card).join(Question, Question.id == Card.question_id)
             .where(Card.user_id == user.id, Question.bank_id.in_(bank_ids), Question.retired.is_(False),
                    Card.suspended.is_(False), Card.state != sched.NEW, Card.due.is_not(None), Card.due < until,
                    or_(Card.buried_until.is_(None), Card.buried_until < until))
             .order_by(Card.due, Card.id).limit(limit)
             .options(joinedload(Card.question).joinedload(Question.bank)))
    picks = []
    for card in db.session.scalars(query):
        if card.ordinal in get_type(card.question.type).cards(card.question.data):
            picks.append(Pick(card.question, card.ordinal, card))
    return picks


def _new_cards(user: User, keys: list[tuple[int, int]]) -> list[Pick]:
    """New cards (question id, ordinal) as picks, in the order given: questions and rows in two queries."""
    if not keys:
        return []
    ids = sorted({qid for qid, _ in keys})
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(joinedload(Question.bank)))}
    rows = {(c.question_id, c.ordinal): c for c in db.session.scalars(
        select(Card).where(Card.user_id == user.id, Card.question_id.in_(ids)))}
    return [Pick(questions[qid], ordinal, rows.get((qid, ordinal))) for qid, ordinal in keys if qid in questions]


def build_pack(user: User, bank_ids: list[int], now: datetime, horizon_days: int = HORIZON_DAYS) -> Pack:
    """The cards to take offline from ``bank_ids`` (those the learner may study; others ignored):
    started cards due within the horizon, soonest first, then today's new cards as the study page
    would introduce them (the daily new-card limit, within the room the review limit leaves), at most
    PACK_LIMIT in all. Reads only."""
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise BatchError(f"The horizon is 1 to {MAX_HORIZON_DAYS} days.", "horizon")
    allowed = accessible_bank_ids(user)
    chosen = sorted({b for b in bank_ids if b in allowed}) or sorted(allowed)
    day_start, day_end = day_bounds(user, now)
    state = study_queue._state(user, chosen, now, day_start, day_end)
    due = _due_cards(user, chosen, now, now + timedelta(days=horizon_days), PACK_LIMIT) if chosen else []
    new_count = study_queue.queue(user, chosen, now, with_pick=False).counts.new if chosen else 0
    new_keys = study_queue._new_candidates(user, chosen, day_start, min(new_count, PACK_LIMIT - len(due)))
    fresh = _new_cards(user, new_keys)
    banks = list(db.session.scalars(select(Bank).where(Bank.id.in_(chosen)).order_by(Bank.title))) if chosen else []
    return Pack(user=user, generated_at=now, horizon_days=horizon_days, banks=banks, cards=due + fresh,
                new_done=state.new_done, reviews_done=state.reviews_done,
                day_start=day_start, day_end=day_end)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def user_settings(user: User) -> dict[str, Any]:
    """What the browser's scheduler needs of the learner (their parameters, else fsrs' defaults)."""
    scheduler = scheduler_for(user)
    return {
        "id": user.id, "timezone": user.timezone, "day_start_hour": user.day_start_hour,
        "desired_retention": user.desired_retention,
        "fsrs_parameters": [float(p) for p in scheduler.parameters],
        "learning_steps": [int(s.total_seconds()) for s in scheduler.learning_steps],
        "relearning_steps": [int(s.total_seconds()) for s in scheduler.relearning_steps],
        "maximum_interval": scheduler.maximum_interval, "enable_fuzz": False,
        "new_per_day": user.new_per_day, "reviews_per_day": user.reviews_per_day,
    }


def shuffle_seed(user: User, pick: Pick) -> str:
    """The seed the online card page shuffles the answer form with (study.routes._card_page)."""
    return f"{user.id}:{pick.question.id}:{pick.ordinal}:{pick.state.reps}"


def card_data(pack: Pack, pick: Pick) -> dict[str, Any]:
    """A card of the pack, without its HTML (the view renders that with the card page's templates)."""
    user, question = pack.user, pick.question
    qtype = get_type(question.type)
    seed = shuffle_seed(user, pick)
    started = pick.card is not None and pick.card.state != sched.NEW
    return {
        "key": f"{question.id}:{pick.ordinal}", "question_id": question.id, "ordinal": pick.ordinal,
        "bank_id": question.bank_id, "type": qtype.name, "type_label": qtype.label, "auto_graded": qtype.auto_graded,
        "version": question.version, "card_version": card_version(pick.card),
        "new": not started, "due": iso(pick.card.due) if started else None,
        "state": card_state(pick.card).to_json() if started else None,
        "fuzz_seed": fuzz_seed(user.id, question.id, pick.ordinal),
        "grading": {"data": graded_data(question), "ordinal": pick.ordinal,
                    "view": study_queue.presentation(pick, seed), "seed": seed},
    }


def bank_data(bank, options: bank_options.Options) -> dict[str, Any]:
    """A bank of the pack, with the learner's options for it that scheduling reads (the browser
    schedules each card with its bank's learning and relearning steps and leech threshold, as the
    server does)."""
    return {"id": bank.id, "title": bank.title, "learning_steps": [60 * m for m in options.learning_steps],
            "relearning_steps": [60 * m for m in options.relearning_steps], "leech_threshold": options.leech_threshold}


def pack_data(pack: Pack) -> dict[str, Any]:
    """The pack as JSON data, each card without its HTML."""
    settings = user_settings(pack.user)
    settings.update(new_done_today=pack.new_done, reviews_done_today=pack.reviews_done,
                    day_start=iso(pack.day_start), day_end=iso(pack.day_end))
    options = bank_options.for_banks(pack.user, [b.id for b in pack.banks])
    return {"version": PACK_VERSION, "generated_at": iso(pack.generated_at), "horizon_days": pack.horizon_days,
            "banks": [bank_data(b, options.get(b.id, bank_options.DEFAULT)) for b in pack.banks], "user": settings,
            "cards": [card_data(pack, pick) for pick in pack.cards]}


# -- reading a sync batch -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineAnswer:
    index: int  # its place in the request
    client_id: str
    question_id: int
    ordinal: int
    fields: dict[str, list[str]] | None
    response: Any
    has_response: bool
    rating: int | None
    answered_at: datetime
    shown_at: datetime | None
    duration_ms: int | None
    question_version: int
    problem: str | None = None  # content that cannot be recorded: this answer is refused


def _int(value: Any, where: str, low: int, high: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BatchError(f"{where} must be a whole number from {low} to {high}.", where)
    return value


def _time(value: Any, where: str, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BatchError(f"{where} must be an ISO-8601 time with a zone, such as 2026-12-02T14:03:11Z.", where)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BatchError(f"{where} is not a time: give ISO-8601 with a zone, such as 2026-12-02T14:03:11Z.",
                         where) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BatchError(f"{where} has no time zone: add Z for UTC or an offset such as +02:00.", where)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise BatchError(f"{where} is out of range.", where) from None


def _fields(value: Any, where: str) -> dict[str, list[str]]:
    if not isinstance(value, dict) or len(value) > MAX_FIELD_NAMES:
        raise BatchError(f"{where} must be an object of at most {MAX_FIELD_NAMES} names, each to a list of "
                         "strings.", where)
    out: dict[str, list[str]] = {}
    for name, values in value.items():
        if isinstance(values, str):
            values = [values]
        if (not isinstance(name, str) or len(name) > 64 or not isinstance(values, list)
                or len(values) > MAX_FIELD_VALUES or not all(isinstance(v, str) for v in values)):
            raise BatchError(f"{where}: each name maps to a list of at most {MAX_FIELD_VALUES} strings.", where)
        out[name] = values
    return out


def _no_constant(name: str) -> Any:
    raise BatchError(f"{name} is not a JSON value (no database keeps it).")


def parse_body(raw: bytes) -> Any:
    """A sync request's body as JSON: BatchError for anything else (NaN and Infinity included)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, BatchError):
            raise
        raise BatchError("The body is not JSON (UTF-8).") from None


def read_batch(body: Any) -> list[OfflineAnswer]:
    """The answers of a sync request's JSON body, checked as a whole: BatchError (with where) for
    anything that is not an answer as docs/offline.md describes it."""
    if not isinstance(body, dict):
        raise BatchError("The body must be a JSON object with an \"answers\" list.")
    items = body.get("answers")
    if not isinstance(items, list):
        raise BatchError("\"answers\" must be a list.", "answers")
    if len(items) > MAX_ANSWERS:
        raise BatchError(f"At most {MAX_ANSWERS} answers in one sync; send the rest in another.", "answers")
    out: list[OfflineAnswer] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        at = f"answers[{i}]"
        if not isinstance(item, dict):
            raise BatchError(f"{at} must be an object.", at)
        client_id = item.get("client_id")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= MAX_CLIENT_ID or _unstorable(client_id):
            raise BatchError(f"{at}.client_id must be a string of 1 to {MAX_CLIENT_ID} characters.",
                             f"{at}.client_id")
        if client_id in seen:
            raise BatchError(f"{at}.client_id is used twice in this batch.", f"{at}.client_id")
        seen.add(client_id)
        fields = None
        if item.get("fields") is not None:
            fields = _fields(item["fields"], f"{at}.fields")
        has_response = "response" in item and fields is None
        if "response" in item and item["response"] is not None and fields is not None:
            raise BatchError(f"{at}: send fields or response, not both.", f"{at}.response")
        answer = fields if fields is not None else item.get("response")
        out.append(OfflineAnswer(
            index=i, client_id=client_id,
            question_id=_int(item.get("question_id"), f"{at}.question_id", 1, MAX_ID),
            ordinal=_int(item.get("ordinal", 0), f"{at}.ordinal", 0, 10_000),
            fields=fields, response=item.get("response"), has_response=has_response,
            rating=_int(item.get("rating"), f"{at}.rating", 1, 4, optional=True),
            answered_at=_time(item.get("answered_at"), f"{at}.answered_at"),
            shown_at=_time(item.get("shown_at"), f"{at}.shown_at", optional=True),
            duration_ms=_int(item.get("duration_ms"), f"{at}.duration_ms", 0, DAY_MS - 1, optional=True),
            question_version=_int(item.get("question_version"), f"{at}.question_version", 1, MAX_ID),
            problem=_answer_problem(answer)))
    return out


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL text cannot hold it) or a lone surrogate ("\\ud800", not Unicode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return "\x00" in text


def _answer_problem(answer: Any) -> str | None:
    """Why an answer's content cannot be recorded, as the online form would ask again for it (too long,
    or text no database keeps): that answer alone is refused, the batch goes on."""
    text = json.dumps(answer, ensure_ascii=False)
    if _unstorable(text) or "\\u0000" in text:
        return "That answer holds characters that cannot be kept (NUL or broken Unicode): it was not recorded."
    if len(text.encode("utf-8")) > MAX_ANSWER_BYTES:
        return f"That answer is longer than {MAX_ANSWER_BYTES // 1024} KB: it was not recorded."
    return None


# -- applying it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    client_id: str
    status: str  # applied, duplicate, refused
    message: str | None = None
    log_id: int | None = None
    score: float | None = None
    rating: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "status": self.status, "message": self.message,
                "log_id": self.log_id, "score": self.score, "rating": self.rating}


def sync(user: User, batch: list[OfflineAnswer], now: datetime) -> list[SyncResult]:
    """Applies a checked batch (``read_batch``) in time order; the results in the batch's order."""
    results: dict[int, SyncResult] = {}
    # In the order they were given (ties: the batch's order); a time after the server's clock (a device
    # clock running ahead) is taken as now, the order among such answers kept.
    for item in sorted(batch, key=lambda a: (a.answered_at, a.index)):
        try:
            results[item.index] = _apply(user, item, min(item.answered_at, now), now)
        except StudyError as exc:  # refused before anything was written (or rolled back)
            db.session.rollback()
            results[item.index] = SyncResult(item.client_id, "refused", str(exc))
    return [results[a.index] for a in batch]


def _log_result(log: ReviewLog, status: str, message: str | None = None) -> SyncResult:
    return SyncResult(log.client_id, status, message, log.id, log.score, log.rating)


_OWN = select(ReviewLog).where(ReviewLog.user_id == bindparam("user_id"), ReviewLog.client_id == bindparam("cid"))


def _apply(user: User, item: OfflineAnswer, at: datetime, now: datetime) -> SyncResult:
    previous = db.session.scalar(_OWN, {"user_id": user.id, "cid": item.client_id})
    if previous is not None:
        return _log_result(previous, "duplicate")
    if item.problem:
        raise AskAgain(item.problem)
    if at < now - MAX_AGE:
        raise StudyError(f"Answers given more than {MAX_AGE.days} days ago are not recorded.")
    question = load_question(user, item.question_id, item.ordinal)  # UnknownCard: not the learner's
    if item.question_version > question.version:
        raise StudyError("That version of the question is unknown.")
    qtype = get_type(question.type)
    response = _response(question, item)
    try:
        answers.check_answer(question, item.ordinal, response)
        outcome = qtype.grade(graded_data(question), response, item.ordinal)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        if isinstance(exc, StudyError):
            raise
        # A ``response`` of the wrong shape for the type (a number for a list...): no answer.
        raise AskAgain("That is not an answer to this question.") from None
    duration = item.duration_ms
    if duration is None and item.shown_at is not None:
        elapsed = int((at - item.shown_at).total_seconds() * 1000)
        duration = elapsed if 0 <= elapsed < DAY_MS else None
    rating = item.rating or suggestion_at(user, qtype, outcome, duration, at)
    if rating is None:
        raise StudyError("Rate how well you remembered: Again, Hard, Good or Easy.")
    stale = item.question_version < question.version
    card = db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question.id,
                                                Card.ordinal == item.ordinal))
    if not stale and not _older_than_latest(card, at):
        try:
            result = answers.record_answer(user, question.id, item.ordinal, response, item.client_id, now=at,
                                           duration_ms=duration, rating=rating, seen_version=card_version(card),
                                           question=question)
        except StaleCard:
            pass  # the card was answered meanwhile (another device's sync): insert in its history below
        else:
            return _log_result(result.log, "duplicate" if result.duplicate else "applied")
    log, duplicate = _insert_in_history(user, question, item, response, outcome, rating, duration, at, now)
    if duplicate:
        return _log_result(log, "duplicate")
    message = ("Kept, but the question has changed since: this answer does not count for its new version."
               if stale else None)
    return _log_result(log, "applied", message)


def _response(question: Question, item: OfflineAnswer) -> Any:
    qtype = get_type(question.type)
    if not qtype.auto_graded:
        return None
    if item.fields is not None:
        fields = item.fields
        return answers.read_answer(question, item.ordinal, lambda name: list(fields.get(name, [])))
    if not item.has_response:
        raise AskAgain("The answer is missing: send the form's fields or the response.")
    return item.response


def _older_than_latest(card: Card | None, at: datetime) -> bool:
    if card is None:
        return False
    latest = db.session.scalar(select(func.max(ReviewLog.reviewed_at)).where(ReviewLog.card_id == card.id))
    marks = [m for m in (latest, card.last_review) if m is not None]
    return bool(marks) and at < max(marks)


@functools.cache
def _typical_before_statement():
    """answers._typical_statement's window, of the answers given before ``at`` (built once)."""
    latest = (select(ReviewLog.id, ReviewLog.card_id, ReviewLog.duration_ms, ReviewLog.score, ReviewLog.reviewed_at)
              .where(ReviewLog.user_id == bindparam("user_id"), ReviewLog.reviewed_at < bindparam("at"))
              .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
              .limit(answers.RECENT_WINDOW).subquery())
    return (select(latest.c.duration_ms).join(Card, Card.id == latest.c.card_id)
            .join(Question, Question.id == Card.question_id)
            .where(Question.type == bindparam("type"), latest.c.score >= 0.999, latest.c.duration_ms.is_not(None))
            .order_by(latest.c.reviewed_at.desc(), latest.c.id.desc()).limit(RECENT))


def suggestion_at(user: User, qtype: QuestionType, outcome: Outcome, duration_ms: int | None,
                  at: datetime) -> int | None:
    """The rating the online answer would have suggested at ``at``: the learner's typical time for the
    type from their answers before ``at`` (answers.suggestion counts the latest ones, which for an
    answer synced late may include later ones)."""
    if outcome.self_rated:
        return None
    seconds = duration_ms / 1000 if duration_ms is not None else None
    typical = qtype.quick_seconds
    if seconds is not None:
        params = {"user_id": user.id, "at": at, "type": qtype.name}
        recent = db.session.scalars(_typical_before_statement(), params).all()
        typical = typical_seconds([ms / 1000 for ms in recent], qtype.quick_seconds)
    return suggest_rating(outcome, seconds, typical, qtype.guessable)


def _insert_in_history(user: User, question: Question, item: OfflineAnswer, response: Any, outcome: Outcome,
                       rating: int, duration: int | None, at: datetime, now: datetime) -> tuple[ReviewLog, bool]:
    """Under the write lock: logs the answer at its time among the card's answers and replays the card
    from the answer before it, in time order. One transaction."""
    with answers._writing():
        previous = db.session.scalar(_OWN, {"user_id": user.id, "cid": item.client_id})
        if previous is not None:  # applied meanwhile (the same batch sent twice at once)
            previous_id = previous.id
            db.session.rollback()
            return db.session.get(ReviewLog, previous_id), True
        card = card_for_update(user, question, item.ordinal)  # a card of an older version restarts here
        version = card.question_version
        # The state the card had at ``at`` on the version answered: after the last answer to that version
        # before it, else new (a card starts new, and restarts when its question's answer changes).
        before = db.session.scalars(select(ReviewLog).where(
            ReviewLog.card_id == card.id, ReviewLog.reviewed_at <= at,
            ReviewLog.question_version == item.question_version)
            .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()).limit(1)).first()
        state = sched.CardState.from_json(before.state_after) if before is not None else sched.CardState()
        later = list(db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id,
                                                                ReviewLog.reviewed_at > at)
                                        .order_by(ReviewLog.reviewed_at, ReviewLog.id)))
        counted = {log.id: first_answers.counts(log) for log in later}
        log = ReviewLog(user_id=user.id, card_id=card.id, client_id=item.client_id, kind="study", rating=rating,
                        prior_state=state.state, score=None if outcome.self_rated else outcome.score,
                        answer=response, duration_ms=duration, reviewed_at=at, state_before=state.to_json(),
                        state_after=state.to_json(), question_version=item.question_version, overridden=False)
        if item.question_version < version:
            # The question changed since the pack was made (every card of it restarted then): the answer
            # is kept with the state it gave on the version answered, and moves nothing of the card.
            after = sched.review(state, rating, at, answers.bank_scheduler(user, question.bank_id),
                                 seed=fuzz_seed(user.id, question.id, item.ordinal))
            log.state_after = after.to_json()
        else:
            answers.replay_logs(user, card, state, version, [log, *later])
        # First-answer totals follow the replay: a later answer that was a card's first no longer is.
        for each in later:
            now_counts = first_answers.counts(each)
            if now_counts != counted[each.id]:
                first_answers.add(question, each, sign=1 if now_counts else -1)
        if first_answers.counts(log) and log.question_version == question.version:
            first_answers.add(question, log)
        if bank_options.get(user, question.bank_id).bury_siblings \
                and len(get_type(question.type).cards(question.data)) > 1 and day_bounds(user, at)[1] > now:
            answers._bury_siblings(user, question, item.ordinal, at)
        db.session.add(log)
        db.session.commit()
    return log, False

