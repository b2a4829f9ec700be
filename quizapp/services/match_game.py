"""Match (Quizlet's timed game): pair terms with their definitions as fast as you can.

A board holds up to PAIRS pairs of one bank, from two kinds of cards:

- *term cards*: a flashcard's front and back (its first card), a short-answer question's prompt and
  main accepted form; one pair per card;
- *matching questions*: every left with its right, the question's card being all its pairs (a question
  with more pairs than the board holds, or two lefts sharing a right, is left out).

Cards due now come first (soonest due), then new ones in bank order, then the others; suspended and
buried cards are left out, and so is a card whose tiles would repeat a tile already on the board
(two tiles with one text could not be told apart). The tiles are shuffled by the game's seed.

A wrong pair costs PENALTY_MS. The time is the server's, from the start of the game to its finish,
plus the penalties; the learner's best per bank is kept (``models.MatchBest``).

**The rating rule.** Each pair's *first* try feeds its card through ``services.answers.record_answer``
(kind ``match``), once per game: a term card paired right at the first try gets the rating suggested
for a right answer (Good: no time is passed, a pick among tiles being guessable), one paired wrong
first gets Again (its answer logged is the tile it was wrongly paired with). A matching question is
graded as in the study loop from the first pick of each of its lefts (a pick from outside the question
counts as none), so the same rule gives Good, Hard or Again; when none of its lefts was first paired
inside the question there is no answer to grade (record_answer refuses an empty one) and the card is
left unrated.

The game's state (bank, seed, cards, start) lives in the signed session cookie; the browser reports,
per pair, whether the first try was right. A learner can only misreport their own game: as with a
self-rated flashcard, it is their own schedule.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ..domain import text
from ..domain.questions import Outcome, get_type
from ..domain.rating import suggest_rating
from ..domain.scheduling import AGAIN
from ..extensions import db
from ..models import Bank, Card, MatchBest, Question, User
from . import answers
from .cards import graded_data, load_question
from .catalog import accessible_bank_ids
from .errors import NotFound, ServiceError
from .unit import transactional
from .writes import begin_write

PAIRS = 6
MIN_PAIRS = 2
PENALTY_MS = 1000
MAX_GAME = timedelta(hours=2)  # a game finished later is too old to count
TERM_TYPES = ("flashcard", "short_answer")
GAME_TYPES = (*TERM_TYPES, "matching")
KIND = "match"


class MatchError(ServiceError):
    """A game that cannot start or finish (400)."""


@dataclass(frozen=True)
class Unit:
    """One card on the board and its pairs (left, right)."""

    question: Question
    ordinal: int
    pairs: list[tuple[str, str]]

    @property
    def matching(self) -> bool:
        return self.question.type == "matching"


@dataclass(frozen=True)
class Tile:
    id: int
    text: str
    pair: int  # the index of its pair on the board
    side: str  # "term" or "definition"


@dataclass
class Game:
    id: str
    bank_id: int
    seed: str
    cards: list[tuple[int, int]]
    started_at: datetime

    def to_session(self) -> dict[str, Any]:
        return {"id": self.id, "bank": self.bank_id, "seed": self.seed, "cards": [list(c) for c in self.cards],
                "at": self.started_at.isoformat()}

    @classmethod
    def from_session(cls, data: Any) -> Game | None:
        try:
            cards = [(int(q), int(o)) for q, o in data["cards"]]
            game = cls(str(data["id"]), int(data["bank"]), str(data["seed"]), cards,
                       datetime.fromisoformat(data["at"]))
        except (KeyError, TypeError, ValueError):
            return None
        return game if 0 < len(cards) <= PAIRS and game.started_at.tzinfo is not None else None


def _unit(question: Question, ordinal: int) -> Unit | None:
    """The card's pairs, or None if it cannot go on a board."""
    data = graded_data(question)
    qtype = get_type(question.type)
    if question.type == "matching":
        pairs = [(str(left), str(right)) for left, right in data["pairs"]]
        rights = [text.fold(r) for _, r in pairs]
        if len(pairs) > PAIRS or len(set(rights)) != len(rights):
            return None
        return Unit(question, ordinal, pairs)
    if question.type == "flashcard":
        return Unit(question, ordinal, [(qtype.prompt(data, ordinal), qtype.expected(data, ordinal))])
    full = get_type("short_answer").full_credit(data)
    return Unit(question, ordinal, [(qtype.prompt(data), full[0])]) if full else None


def _bank_questions(bank_id: int) -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(Question.bank_id == bank_id, Question.type.in_(GAME_TYPES), Question.retired.is_(False))
        .order_by(Question.position, Question.id)))


@dataclass(frozen=True)
class BankChoice:
    id: int
    title: str
    pairs: int  # pairs the bank can put on boards (term cards and matching pairs)
    best_ms: int | None
    games: int


def bank_choices(user: User) -> list[BankChoice]:
    """The learner's banks that can make a board, with their best time; by title."""
    allowed = accessible_bank_ids(user)
    if not allowed:
        return []
    counts: dict[int, int] = {}
    for bank_id, qtype, data in db.session.execute(
            select(Question.bank_id, Question.type, Question.data)
            .where(Question.bank_id.in_(allowed), Question.type.in_(GAME_TYPES), Question.retired.is_(False))):
        n = len(data.get("pairs") or []) if qtype == "matching" else 1
        counts[bank_id] = counts.get(bank_id, 0) + n
    best = {b.bank_id: b for b in db.session.scalars(select(MatchBest).where(MatchBest.user_id == user.id))}
    banks = db.session.execute(select(Bank.id, Bank.title).where(Bank.id.in_(counts)).order_by(func.lower(Bank.title)))
    return [BankChoice(bid, title, counts[bid], best[bid].best_ms if bid in best else None,
                       best[bid].games if bid in best else 0)
            for bid, title in banks if counts[bid] >= MIN_PAIRS]


def start_game(user: User, bank_id: int, now: datetime, seed: str | None = None) -> Game:
    """A new board of ``bank_id`` (NotFound if the learner cannot study it); writes nothing."""
    if bank_id not in accessible_bank_ids(user):
        raise NotFound("No such bank among yours.")
    questions = _bank_questions(bank_id)
    rows = {(c.question_id, c.ordinal): c for c in db.session.scalars(
        select(Card).where(Card.user_id == user.id, Card.question_id.in_([q.id for q in questions])))}
    ranked = []
    for position, q in enumerate(questions):
        card = rows.get((q.id, 0))
        if card is not None and (card.suspended or (card.buried_until is not None and card.buried_until > now)):
            continue
        fresh = card is None or card.reps == 0 or card.question_version != q.version
        due = card.due if card is not None and not fresh and card.due is not None else None
        group = 1 if fresh else (0 if due is not None and due <= now else 2)
        ranked.append(((group, due.timestamp() if due and group != 1 else 0.0, position), q))
    ranked.sort(key=lambda r: r[0])
    chosen: list[Unit] = []
    seen: set[str] = set()
    size = 0
    for _, q in ranked:
        unit = _unit(q, 0)
        if unit is None or size + len(unit.pairs) > PAIRS:
            continue
        tiles = [text.fold(t) for pair in unit.pairs for t in pair]
        if seen.intersection(tiles) or len(set(tiles)) != len(tiles):
            continue
        seen.update(tiles)
        chosen.append(unit)
        size += len(unit.pairs)
        if size == PAIRS:
            break
    if size < MIN_PAIRS:
        raise MatchError(f"This bank has too few terms and definitions for a game (at least {MIN_PAIRS} pairs).")
    keys = [(u.question.id, u.ordinal) for u in chosen]
    return Game(secrets.token_hex(6), bank_id, seed or secrets.token_hex(8), keys, now)


def units(user: User, game: Game) -> list[Unit]:
    """The game's cards with their pairs (NotFound if one has left the learner's banks)."""
    out = []
    for question_id, ordinal in game.cards:
        question = load_question(user, question_id, ordinal)
        unit = _unit(question, ordinal)
        if unit is None or question.bank_id != game.bank_id:
            raise MatchError("This game's cards have changed: start a new game.")
        out.append(unit)
    return out


def board(user: User, game: Game) -> list[Tile]:
    """Every term and definition as a tile, shuffled by the game's seed (the same on a reload)."""
    tiles = []
    pair = 0
    for unit in units(user, game):
        for left, right in unit.pairs:
            tiles += [(left, pair, "term"), (right, pair, "definition")]
            pair += 1
    random.Random(game.seed).shuffle(tiles)
    return [Tile(i, t, p, side) for i, (t, p, side) in enumerate(tiles)]


@dataclass(frozen=True)
class Finished:
    time_ms: int
    best_ms: int
    new_best: bool
    pairs: int
    right_first: int
    ratings: list[int | None]  # per card of the game: the rating recorded (None: not rated)


def finish(user: User, game: Game, misses: dict[int, int], wrong: int, now: datetime) -> Finished:
    """Ends ``game``: ``misses`` maps each pair missed at its first try to the tile it was wrongly paired
    with; ``wrong`` is the number of wrong pairs (each costs PENALTY_MS). Rates each card (record_answer,
    once per game: a resent finish changes nothing) and keeps the best time."""
    elapsed = now - game.started_at
    if elapsed < timedelta(0) or elapsed > MAX_GAME:
        raise MatchError("This game is too old to count: start a new one.")
    tiles = board(user, game)
    pairs = len(tiles) // 2
    if not 0 <= wrong <= 10_000 or any(not 0 <= p < pairs for p in misses) or len(misses) > 2 * wrong:
        raise MatchError("That result does not fit this game: start a new one.")
    by_id = {t.id: t for t in tiles}
    if any(t not in by_id for t in misses.values()):
        raise MatchError("That result does not fit this game: start a new one.")
    ratings = []
    pair = 0
    for unit in units(user, game):
        own = list(range(pair, pair + len(unit.pairs)))
        pair += len(unit.pairs)
        ratings.append(_rate(user, game, unit, own, misses, by_id, now))
    time_ms = int(elapsed.total_seconds() * 1000) + wrong * PENALTY_MS
    best, new_best = _keep_best(user, game.bank_id, time_ms, now)
    return Finished(time_ms, best, new_best, pairs, pairs - len(misses), ratings)


def _rate(user: User, game: Game, unit: Unit, own: list[int], misses: dict[int, int], by_id: dict[int, Tile],
          now: datetime) -> int | None:
    question, ordinal = unit.question, unit.ordinal
    client_id = f"{KIND}:{game.id}:{question.id}:{ordinal}"
    if unit.matching:
        rights = {r for _, r in unit.pairs}
        picks = []
        for index, (_, right) in zip(own, unit.pairs, strict=True):
            if index not in misses:
                picks.append(right)
            else:
                partner = by_id[misses[index]].text
                picks.append(partner if partner in rights and partner != right else "")
        if all(p == "" for p in picks):
            return None  # no pick inside the question: nothing record_answer could grade
        result = answers.record_answer(user, question.id, ordinal, picks, client_id, now=now, kind=KIND,
                                       question=question)
        return result.log.rating
    definition, index = unit.pairs[0][1], own[0]
    if index in misses:
        given, rating = by_id[misses[index]].text, AGAIN
    else:
        given, rating = definition, None
        if question.type == "flashcard":  # self-rated in the study loop: the rule's rating for a right answer
            rating = suggest_rating(Outcome(1.0, definition), None, get_type("short_answer").quick_seconds, True)
    result = answers.record_answer(user, question.id, ordinal, given, client_id, now=now, rating=rating, kind=KIND,
                                   question=question)
    return result.log.rating


@transactional
def _keep_best(user: User, bank_id: int, time_ms: int, now: datetime) -> tuple[int, bool]:
    begin_write()
    row = db.session.get(MatchBest, (user.id, bank_id))
    if row is None:
        db.session.add(MatchBest(user_id=user.id, bank_id=bank_id, best_ms=time_ms, games=1, updated_at=now))
        return time_ms, True
    row.games += 1
    row.updated_at = now
    if time_ms < row.best_ms:
        row.best_ms = time_ms
        return time_ms, True
    return row.best_ms, False


def best_ms(user: User, bank_id: int) -> int | None:
    row = db.session.get(MatchBest, (user.id, bank_id))
    return row.best_ms if row is not None else None
