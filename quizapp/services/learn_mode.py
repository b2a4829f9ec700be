"""Learn rounds (Quizlet's "Learn"): a small set of cards, each asked until it is recalled typed.

A round holds ``size`` cards (DEFAULT_SIZE) of the chosen banks' flashcards and short-answer
questions (the types whose answer is one text): cards due now first (soonest due first), then new
cards in bank order, then the others, soonest due first; suspended and buried cards are left out,
and one card per question (a reversed flashcard's sibling waits for another round).

Each new card is first asked as **multiple choice**: its right answer among up to three others
(DISTRACTORS) drawn from the other answers of the same bank and type (the backs of the other
flashcards, the main answers of the other short-answer questions), chosen and shuffled by the
round's seed, never one the card's own grading would accept. A card with fewer than
MIN_DISTRACTORS such answers, or one already studied, starts at the next step. Once picked right it
moves to **typed recall**, graded with exactly the short-answer rules (``domain.questions`` ShortAnswer:
folding, wildcards, a near-miss is wrong); a flashcard is graded as a short answer whose one accepted
form is its back. A wrong answer keeps the card at its step. The round ends when every card has been
recalled typed ("7 of 10 mastered" counts those).

**The rating rule.** Only a card's *first* answer in a round rates it (Anki counts one review per
card per session; the re-asks are practice), through ``services.answers.record_answer`` with the
suggested rating (logged as kind ``learn``): right -> Good, partly right -> Hard, wrong -> Again.
A flashcard, self-rated in the study loop, gets the same suggestion from its short-answer grading.
Learn never suggests Easy: the first answer of a new card is a pick among four (a guess is often
right, as for multiple choice in the study loop), and a round's times are not recall times.

The round lives in the signed session cookie (Round.to_session: ids, steps and flags only, at most
MAX_SIZE cards); a replayed old cookie cannot rate a card twice, as each card's first answer
carries the id ``learn:<round>:<question>:<ordinal>``, which record_answer applies once.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain import text
from ..domain.questions import Outcome, get_type
from ..domain.rating import suggest_rating
from ..extensions import db
from ..models import Card, Question, User
from . import answers
from .cards import AskAgain, graded_data, load_question
from .catalog import accessible_bank_ids
from .errors import ServiceError

LEARN_TYPES = ("flashcard", "short_answer")
DEFAULT_SIZE = 10
MAX_SIZE = 20
DISTRACTORS = 3
MIN_DISTRACTORS = 2
KIND = "learn"

CHOICE, TYPED, MASTERED = "choice", "typed", "mastered"
STEPS = (CHOICE, TYPED, MASTERED)


class LearnError(ServiceError):
    """A round that cannot start or an answer to another card than the one asked (400)."""


@dataclass
class Item:
    question_id: int
    ordinal: int
    step: str
    rated: bool = False


@dataclass
class Round:
    id: str
    seed: str
    items: list[Item]
    current: int = 0

    @property
    def mastered(self) -> int:
        return sum(1 for i in self.items if i.step == MASTERED)

    @property
    def done(self) -> bool:
        return all(i.step == MASTERED for i in self.items)

    @property
    def item(self) -> Item | None:
        return None if self.done else self.items[self.current]

    def advance(self) -> None:
        """On to the next card not yet mastered after the current one (the same again if it is the last)."""
        n = len(self.items)
        for step in range(1, n + 1):
            index = (self.current + step) % n
            if self.items[index].step != MASTERED:
                self.current = index
                return

    def to_session(self) -> dict[str, Any]:
        return {"id": self.id, "seed": self.seed, "cur": self.current,
                "items": [[i.question_id, i.ordinal, STEPS.index(i.step), int(i.rated)] for i in self.items]}

    @classmethod
    def from_session(cls, data: Any) -> Round | None:
        """The round kept in the session, or None if there is none or it is not one (an old format)."""
        try:
            items = [Item(int(q), int(o), STEPS[int(s)], bool(r)) for q, o, s, r in data["items"] if int(s) >= 0]
            rnd = cls(str(data["id"]), str(data["seed"]), items, int(data["cur"]))
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        if not items or len(items) > MAX_SIZE or not 0 <= rnd.current < len(items):
            return None
        return rnd


@dataclass(frozen=True)
class Target:
    """What a card asks in Learn: its prompt, the answer shown (and offered as the right choice),
    and the short-answer fields its typed answers are graded with."""

    prompt: str
    answer: str | None
    grading: dict[str, Any]


def target(question: Question, ordinal: int) -> Target:
    qtype = get_type(question.type)
    if question.type == "flashcard":
        back = qtype.expected(question.data, ordinal)
        # The back is the one accepted form, a star in it a star (not a wildcard); the bank's grading
        # switches (case_sensitive, typos) apply as to its short answers.
        switches = {k: v for k, v in graded_data(question).items() if k in ("case_sensitive", "typos")}
        prompt = qtype.prompt(question.data, ordinal)
        return Target(prompt, back, {**switches, "prompt": prompt, "answers": [back.replace("*", "\\*")]})
    data = graded_data(question)
    full = get_type("short_answer").full_credit(data)
    return Target(qtype.prompt(data, ordinal), full[0] if full else None, data)


def grade(tgt: Target, given: str) -> Outcome:
    """The short-answer type's own grading (the same rules as a short-answer question in the study loop)."""
    return get_type("short_answer").grade(tgt.grading, given)


def _pool(bank_id: int, qtype: str, ordinal: int) -> list[tuple[int, str]]:
    """(question id, answer) of every live question of the bank and type, in bank order."""
    rows = db.session.scalars(select(Question).where(Question.bank_id == bank_id, Question.type == qtype,
                                                     Question.retired.is_(False))
                              .order_by(Question.position, Question.id))
    out = []
    for q in rows:
        side = ordinal if q.type == "flashcard" else 0
        answer = target(q, side).answer
        if answer:
            out.append((q.id, answer))
    return out


def _distractors(tgt: Target, question: Question, ordinal: int, pool: list[tuple[int, str]]) -> list[str]:
    """Other answers the card's own grading refuses (not even a near-miss), one of each folded form."""
    seen = {text.fold(tgt.answer or "")}
    out = []
    for qid, answer in pool:
        folded = text.fold(answer)
        if qid == question.id or folded in seen:
            continue
        outcome = grade(tgt, answer)
        if outcome.score > 0 or outcome.near_miss:
            continue
        seen.add(folded)
        out.append(answer)
    return out


def choices(seed: str, question: Question, ordinal: int, tgt: Target | None = None,
            pool: list[tuple[int, str]] | None = None) -> list[str]:
    """The multiple-choice options of a card in a round: its answer and up to DISTRACTORS others,
    drawn and shuffled by the round's seed (the same on every reload); [] if there are too few."""
    tgt = tgt or target(question, ordinal)
    if not tgt.answer:
        return []
    if pool is None:
        pool = _pool(question.bank_id, question.type, ordinal)
    others = _distractors(tgt, question, ordinal, pool)
    if len(others) < MIN_DISTRACTORS:
        return []
    rng = random.Random(f"{seed}:{question.id}:{ordinal}")
    options = [tgt.answer, *rng.sample(others, min(DISTRACTORS, len(others)))]
    rng.shuffle(options)
    return options


def start_round(user: User, bank_ids: list[int], now: datetime, size: int = DEFAULT_SIZE,
                seed: str | None = None) -> Round:
    """A new round of ``size`` cards of ``bank_ids`` (those the learner may study); writes nothing."""
    if not 1 <= size <= MAX_SIZE:
        raise LearnError(f"A round holds from 1 to {MAX_SIZE} cards.")
    allowed = accessible_bank_ids(user)
    banks = [b for b in bank_ids if b in allowed]
    if not banks:
        raise LearnError("Choose at least one of your banks.")
    questions = list(db.session.scalars(
        select(Question).where(Question.bank_id.in_(banks), Question.type.in_(LEARN_TYPES),
                               Question.retired.is_(False)).order_by(Question.bank_id, Question.position,
                                                                     Question.id)))
    rows = {(c.question_id, c.ordinal): c for c in db.session.scalars(
        select(Card).where(Card.user_id == user.id, Card.question_id.in_([q.id for q in questions])))}
    due, new, later = [], [], []
    for q in questions:
        options = []
        for ordinal in get_type(q.type).cards(q.data):
            card = rows.get((q.id, ordinal))
            if card is not None and (card.suspended or (card.buried_until is not None and card.buried_until > now)):
                continue
            fresh = card is None or card.reps == 0 or card.question_version != q.version
            options.append((q, ordinal, card, fresh))
        if not options:
            continue
        # One card per question: a new one if it has one, else the one due soonest.
        q_, ordinal, card, fresh = min(options, key=lambda o: (not o[3], o[2].due if o[2] and o[2].due else now))
        if fresh:
            new.append((q_, ordinal))
        elif card.due is not None and card.due <= now:
            due.append((card.due, q_, ordinal))
        else:
            later.append((card.due or now, q_, ordinal))
    chosen = ([(q, o, False) for _, q, o in sorted(due, key=lambda d: d[0])] + [(q, o, True) for q, o in new]
              + [(q, o, False) for _, q, o in sorted(later, key=lambda d: d[0])])[:size]
    if not chosen:
        raise LearnError("Your chosen banks have no flashcards or short-answer questions to learn.")
    seed = seed or secrets.token_hex(8)
    pools: dict[tuple[int, str, int], list[tuple[int, str]]] = {}
    items = []
    for q, ordinal, fresh in chosen:
        step = TYPED
        if fresh:
            key = (q.bank_id, q.type, ordinal)
            if key not in pools:
                pools[key] = _pool(*key)
            if choices(seed, q, ordinal, pool=pools[key]):
                step = CHOICE
        items.append(Item(q.id, ordinal, step))
    return Round(secrets.token_hex(6), seed, items)


@dataclass(frozen=True)
class Asked:
    """The page of the round's current card."""

    question: Question
    ordinal: int
    step: str
    prompt: str
    options: list[str] = field(default_factory=list)


def current(user: User, rnd: Round) -> Asked | None:
    """The card the round asks now; None when the round is over. A card no longer in the learner's
    banks (retired, its bank unassigned) raises UnknownCard (404)."""
    item = rnd.item
    if item is None:
        return None
    question = load_question(user, item.question_id, item.ordinal)
    tgt = target(question, item.ordinal)
    options = choices(rnd.seed, question, item.ordinal, tgt) if item.step == CHOICE else []
    if item.step == CHOICE and not options:  # the bank changed since the round began
        item.step = TYPED
    return Asked(question, item.ordinal, item.step, tgt.prompt, options)


@dataclass(frozen=True)
class Answered:
    right: bool
    step: str  # the step the card was answered at
    given: str
    expected: str
    near_miss: str
    rating: int | None  # the rating recorded (the card's first answer in the round), else None
    prompt: str


def answer(user: User, rnd: Round, question_id: int, ordinal: int, given: str, now: datetime) -> Answered:
    """Grades the answer to the round's current card, rates the card if it is its first answer in the
    round (record_answer; commits), moves it on a step if right, and moves the round to its next card.
    Refuses (LearnError) an answer to another card (an older page), an option not offered (AskAgain)
    and an empty answer (AskAgain): then nothing changes."""
    item = rnd.item
    if item is None or (item.question_id, item.ordinal) != (question_id, ordinal):
        raise LearnError("That card is not the one this round is asking now (an older page?): here is the current one.")
    question = load_question(user, question_id, ordinal)
    tgt = target(question, ordinal)
    given = (given or "").strip()
    if not given:
        raise AskAgain("Type or choose an answer first: an empty answer is not recorded.")
    if len(given) > 1000:
        raise AskAgain("That answer is too long: at most 1,000 characters are read.")
    step = item.step
    if step == CHOICE and given not in choices(rnd.seed, question, ordinal, tgt):
        raise AskAgain("Choose one of the answers shown.")
    outcome = grade(tgt, given)
    rating = None
    if not item.rated:
        rating = _rate(user, question, ordinal, given, outcome, f"{KIND}:{rnd.id}:{question_id}:{ordinal}", now)
        item.rated = True
    if outcome.correct:
        item.step = TYPED if step == CHOICE else MASTERED
    rnd.advance()
    return Answered(outcome.correct, step, given, tgt.answer or outcome.expected, outcome.near_miss, rating,
                    tgt.prompt)


def _rate(user: User, question: Question, ordinal: int, given: str, outcome: Outcome, client_id: str,
          now: datetime) -> int:
    """The card's one rating of the round, through record_answer with the suggested rating: a short
    answer is graded (and the rating suggested) by record_answer itself; a flashcard, self-rated in the
    study loop, gets the rating its short-answer grading suggests. No time is passed: never Easy."""
    rating = None
    if question.type == "flashcard":
        rating = suggest_rating(outcome, None, get_type("short_answer").quick_seconds, guessable=True)
    result = answers.record_answer(user, question.id, ordinal, given, client_id, now=now, rating=rating,
                                   kind=KIND, question=question)
    return result.log.rating
