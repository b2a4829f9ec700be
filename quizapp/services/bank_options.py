"""A learner's options for one bank (Anki's deck options, per learner here: a bank is shared by a whole
class, each learner studies it their own way).

- new-card order: the bank's order, or random (a fixed shuffle per learner, so the next card does not
  change from one page to the next, as Anki shuffles once when cards are added);
- learning steps: the waits, in minutes, between the first answers of a new card before it becomes a
  review card (Anki's default and the app's: 1 and 10 minutes; none: straight to review);
- relearning steps: the same for a review card forgotten (Anki's default and the app's: 10 minutes;
  none: straight back to review with a shorter interval);
- leech threshold and action: after that many lapses a card is a leech; it is marked ("tag only",
  Anki's default and the app's) or also suspended;
- bury siblings: a question that makes several cards (cloze, two-sided) shows one new card a day and
  hides its other cards for the day once one is answered (the app's behaviour); off, they may all
  come the same day.

A bank without a row uses DEFAULT: nothing changes for a learner who never opens the options.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Bank, BankOptions, User
from . import statements
from .catalog import accessible_bank_ids
from .errors import NotFound, ServiceError
from .unit import transactional
from .writes import begin_write

NEW_ORDERS = {"bank": "Bank order", "random": "Random"}
LEECH_ACTIONS = {"tag": "Mark it as a leech only", "suspend": "Mark it and suspend it"}
MAX_STEPS = 10
MAX_STEP_MINUTES = 24 * 60  # a learning step of at most a day (longer is a review's job)
MIN_LEECH, MAX_LEECH = 1, 99


class OptionsError(ServiceError):
    """Options that cannot be saved; the message says which and why (400)."""


@dataclass(frozen=True)
class Options:
    new_order: str = "bank"
    learning_steps: tuple[int, ...] = (1, 10)  # minutes
    relearning_steps: tuple[int, ...] = (10,)  # minutes
    leech_threshold: int = 8
    leech_action: str = "tag"
    bury_siblings: bool = True

    @property
    def steps_text(self) -> str:
        return " ".join(str(m) for m in self.learning_steps)

    @property
    def relearning_text(self) -> str:
        return " ".join(str(m) for m in self.relearning_steps)


DEFAULT = Options()


def _of(row) -> Options:
    """Options from a BankOptions row (an object or a row of its columns)."""
    if row is None:
        return DEFAULT
    relearning = DEFAULT.relearning_steps if row.relearning_steps is None else row.relearning_steps
    return Options(new_order=row.new_order, learning_steps=tuple(int(m) for m in row.learning_steps or ()),
                   relearning_steps=tuple(int(m) for m in relearning), leech_threshold=row.leech_threshold,
                   leech_action=row.leech_action, bury_siblings=row.bury_siblings)


_ONE = select(BankOptions.new_order, BankOptions.learning_steps, BankOptions.relearning_steps,
              BankOptions.leech_threshold,
              BankOptions.leech_action, BankOptions.bury_siblings).where(
    BankOptions.user_id == bindparam("user_id"), BankOptions.bank_id == bindparam("bank_id"))


def get(user: User, bank_id: int) -> Options:
    """The learner's options for ``bank_id`` (DEFAULT if never set): one primary-key read, of plain
    columns (read on every card page and answer: a loaded object cost five times as much)."""
    return _of(statements.run(_ONE, {"user_id": user.id, "bank_id": bank_id}).first())


def for_banks(user: User, bank_ids: Sequence[int]) -> dict[int, Options]:
    """The options the learner set for any of ``bank_ids`` (banks not in it use DEFAULT)."""
    if not bank_ids:
        return {}
    rows = db.session.scalars(select(BankOptions).where(BankOptions.user_id == user.id,
                                                        BankOptions.bank_id.in_(list(bank_ids))))
    return {row.bank_id: _of(row) for row in rows}


def bank_title(user: User, bank_id: int) -> str:
    """The bank's title, if the learner may study it (404 otherwise)."""
    if bank_id not in accessible_bank_ids(user):
        raise NotFound("That bank is not one of yours.")
    return db.session.scalar(select(Bank.title).where(Bank.id == bank_id)) or "?"


def parse_steps(text: str, kind: str = "learning") -> tuple[int, ...]:
    """Learning (or relearning) steps as typed: minutes separated by spaces or commas ("1 10",
    "1m, 10m, 1h"); an empty text is no step."""
    steps: list[int] = []
    for part in text.replace(",", " ").split():
        unit = part[-1:].lower() if part[-1:].isalpha() else "m"
        number = part[:-1] if part[-1:].isalpha() else part
        if unit not in ("m", "h", "d") or not (number.isascii() and number.isdigit()) or len(number) > 5:
            raise OptionsError(f"Not a {kind} step: {part[:20]!r}. Write minutes such as 1 10, or 1m 10m 1h.")
        steps.append(int(number) * {"m": 1, "h": 60, "d": 1440}[unit])
    if len(steps) > MAX_STEPS:
        raise OptionsError(f"At most {MAX_STEPS} {kind} steps.")
    if any(not 1 <= m <= MAX_STEP_MINUTES for m in steps):
        raise OptionsError(f"Each {kind} step is from 1 minute to 1 day.")
    return tuple(steps)


@transactional
def save(user: User, bank_id: int, options: Options) -> Options:
    """Stores the learner's options for ``bank_id`` (one they may study: 404 otherwise); all or nothing."""
    bank_title(user, bank_id)
    if options.new_order not in NEW_ORDERS:
        raise OptionsError("Choose bank order or random.")
    if options.leech_action not in LEECH_ACTIONS:
        raise OptionsError("Choose what happens to a leech.")
    if not MIN_LEECH <= options.leech_threshold <= MAX_LEECH:
        raise OptionsError(f"The leech threshold is from {MIN_LEECH} to {MAX_LEECH} lapses.")
    parse_steps(options.steps_text)  # the same checks as typed
    parse_steps(options.relearning_text, "relearning")
    begin_write()
    row = db.session.get(BankOptions, (user.id, bank_id))
    values = {**asdict(options), "learning_steps": list(options.learning_steps),
              "relearning_steps": list(options.relearning_steps)}
    if row is None:
        db.session.add(BankOptions(user_id=user.id, bank_id=bank_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return options
