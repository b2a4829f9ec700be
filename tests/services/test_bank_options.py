"""A learner's options per bank (Anki's deck options) and how the queue and the scheduler use them:
new-card order, learning steps, leech threshold and action, bury siblings."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, BankOptions, Card, Question, User
from quizapp.services import answers, bank_options, study_queue
from quizapp.services.bank_options import DEFAULT, Options, OptionsError
from quizapp.services.errors import NotFound
from tests.answers import response_for
from tests.factories import NOW, make_bank


def bank(slug: str, questions: list[dict]) -> int:
    make_bank(slug, questions, title=f"Bank {slug}")
    return db.session.scalar(select(Bank.id).where(Bank.slug == slug))


def numbered(n: int, prefix: str = "q") -> list[dict]:
    return [{"id": f"{prefix}{i}", "type": "short_answer", "prompt": f"Question {i}?", "answers": [f"a{i}"]}
            for i in range(n)]


def new_keys(user, bank_ids, limit=20) -> list[str]:
    keys = study_queue._new_candidates(user, bank_ids, sched.study_day(NOW, "UTC", 4)[0], limit)
    return [db.session.get(Question, qid).key + (f":{o}" if o else "") for qid, o in keys]


# -- storing them ------------------------------------------------------------------------------------
def test_a_bank_without_options_uses_the_defaults_and_saved_ones_are_read_back(learner):
    bank_id = bank("a", numbered(2))
    assert bank_options.get(learner, bank_id) == DEFAULT == Options(
        new_order="bank", learning_steps=(1, 10), relearning_steps=(10,), leech_threshold=8, leech_action="tag",
        bury_siblings=True)
    mine = Options(new_order="random", learning_steps=(5, 60), relearning_steps=(15, 120), leech_threshold=3,
                   leech_action="suspend", bury_siblings=False)
    bank_options.save(learner, bank_id, mine)
    db.session.expire_all()
    assert bank_options.get(learner, bank_id) == mine
    bank_options.save(learner, bank_id, Options(learning_steps=()))  # saved again: the one row changed
    assert bank_options.get(learner, bank_id) == Options(learning_steps=())
    assert db.session.scalar(select(func.count()).select_from(BankOptions)) == 1


@pytest.mark.parametrize(("options", "message"), [
    (Options(new_order="shuffle"), "bank order or random"),
    (Options(leech_action="delete"), "leech"),
    (Options(leech_threshold=0), "from 1 to 99"),
    (Options(leech_threshold=100), "from 1 to 99"),
    (Options(learning_steps=(0,)), "1 minute to 1 day"),
    (Options(learning_steps=(1441,)), "1 minute to 1 day"),
    (Options(learning_steps=tuple(range(1, 12))), "At most 10"),
])
def test_options_out_of_range_are_refused_and_nothing_is_saved(learner, options, message):
    bank_id = bank("a", numbered(2))
    with pytest.raises(OptionsError, match=message):
        bank_options.save(learner, bank_id, options)
    assert db.session.scalar(select(func.count()).select_from(BankOptions)) == 0


@pytest.mark.parametrize(("text", "minutes"), [("1 10", (1, 10)), ("1m, 10m, 1h", (1, 10, 60)), ("", ()),
                                               ("1d", (1440,))])
def test_learning_steps_as_typed(text, minutes):
    assert bank_options.parse_steps(text) == minutes


@pytest.mark.parametrize("text", ["ten", "1x", "-1", "1.5", "5 ²", "2d"])
def test_learning_steps_that_are_not_steps_are_refused(text):
    with pytest.raises(OptionsError):
        bank_options.parse_steps(text)


def test_options_of_a_bank_the_learner_cannot_study_are_a_404(learner, make_user):
    teacher = db.session.get(User, make_user(email="t@example.com", role="teacher"))
    make_bank("private", numbered(1), builtin=False, owner=teacher)
    private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
    with pytest.raises(NotFound):
        bank_options.save(learner, private, Options(new_order="random"))
    with pytest.raises(NotFound):
        bank_options.bank_title(learner, private)
    assert db.session.scalar(select(func.count()).select_from(BankOptions)) == 0


# -- the queue: new-card order, bury siblings ------------------------------------------------------------
def test_random_order_is_a_fixed_shuffle_per_learner_and_per_bank(learner, make_user):
    a, b = bank("a", numbered(20, "a")), bank("b", numbered(5, "b"))
    in_order = [f"a{i}" for i in range(20)]
    assert new_keys(learner, [a]) == in_order
    bank_options.save(learner, a, Options(new_order="random"))
    shuffled = new_keys(learner, [a])
    assert sorted(shuffled) == sorted(in_order) and shuffled != in_order
    assert new_keys(learner, [a]) == shuffled  # the same on every page
    assert new_keys(learner, [a, b], limit=25)[20:] == [f"b{i}" for i in range(5)]  # bank b keeps its order
    other = db.session.get(User, make_user(email="b@example.com"))
    assert new_keys(other, [a]) == in_order  # another learner's options are theirs
    bank_options.save(other, a, Options(new_order="random"))
    assert new_keys(other, [a]) != shuffled  # and their shuffle their own
    # The daily queue shows the shuffled bank's first new card.
    assert study_queue.next_card(learner, [a], NOW).question.key == shuffled[0]


CLOZE = [{"id": "cloze", "type": "cloze", "text": "{{c1::Mao}} met {{c2::Stalin}} in Moscow."},
         {"id": "tf", "type": "true_false", "prompt": "The treaty was signed in 1950.", "answer": True}]


def _answer_new(learner, bank_id, n: int) -> list[str]:
    """Answers the daily queue's new cards (Easy: out of learning at once) ``n`` times; their keys."""
    seen = []
    for i in range(n):
        pick = study_queue.next_card(learner, [bank_id], NOW)
        if pick is None:
            break
        seen.append(f"{pick.question.key}:{pick.ordinal}")
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                              f"s{i}", now=NOW, rating=sched.EASY)
    return seen


def test_with_bury_siblings_on_a_cloze_question_gives_one_card_a_day(learner):
    bank_id = bank("a", CLOZE)
    assert _answer_new(learner, bank_id, 5) == ["cloze:1", "tf:0"]  # cloze:2 waits for tomorrow


def test_with_bury_siblings_off_every_card_of_a_question_comes_the_same_day(learner):
    bank_id = bank("a", CLOZE)
    bank_options.save(learner, bank_id, Options(bury_siblings=False))
    assert _answer_new(learner, bank_id, 5) == ["cloze:1", "cloze:2", "tf:0"]


def test_with_bury_siblings_off_a_review_sibling_is_not_buried_by_an_answer(learner):
    bank_id = bank("a", CLOZE)
    cloze = db.session.scalar(select(Question).where(Question.key == "cloze"))
    for ordinal in (1, 2):
        db.session.add(Card(user_id=learner.id, question_id=cloze.id, ordinal=ordinal, state=sched.REVIEW,
                            stability=5.0, difficulty=5.0, due=NOW - timedelta(hours=1),
                            last_review=NOW - timedelta(days=5), reps=2))
    db.session.commit()
    bank_options.save(learner, bank_id, Options(bury_siblings=False))
    answers.record_answer(learner, cloze.id, 1, response_for(cloze, 1), "r1", now=NOW)
    sibling = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 2))
    assert sibling.buried_until is None
    bank_options.save(learner, bank_id, Options(bury_siblings=True))
    answers.record_answer(learner, cloze.id, 2, response_for(cloze, 2), "r2", now=NOW)
    db.session.expire_all()
    first = db.session.scalar(select(Card).where(Card.question_id == cloze.id, Card.ordinal == 1))
    assert first.buried_until is not None or first.state != sched.REVIEW  # buried unless in learning steps


# -- the scheduler: learning steps, leeches ---------------------------------------------------------------
def test_learning_steps_set_the_waits_and_the_buttons_say_so(learner):
    bank_id = bank("a", numbered(3))
    q0, q1, q2 = (db.session.scalar(select(Question).where(Question.key == f"q{i}")) for i in range(3))
    default = answers.record_answer(learner, q0.id, 0, "wrong", "d", now=NOW)  # Again: the first step
    assert default.log.rating == sched.AGAIN
    assert sched.CardState.from_json(default.log.state_after).due == NOW + timedelta(minutes=1)
    bank_options.save(learner, bank_id, Options(learning_steps=(30, 120)))
    pick = study_queue.Pick(q1, 0, None)
    assert study_queue.button_intervals(learner, pick, NOW)[sched.AGAIN] == "30m"
    slow = answers.record_answer(learner, q1.id, 0, "wrong", "s", now=NOW)
    assert sched.CardState.from_json(slow.log.state_after).due == NOW + timedelta(minutes=30)
    bank_options.save(learner, bank_id, Options(learning_steps=()))
    straight = answers.record_answer(learner, q2.id, 0, "a2", "n", now=NOW)  # right: no step, a review
    after = sched.CardState.from_json(straight.log.state_after)
    assert after.state == sched.REVIEW and after.due >= NOW + timedelta(hours=12)


@pytest.mark.parametrize(("steps", "state", "due_in"), [
    (None, sched.RELEARNING, timedelta(minutes=10)),  # the default: one step of 10 minutes
    ((30, 240), sched.RELEARNING, timedelta(minutes=30)),
    ((), sched.REVIEW, None),  # no step: straight back to review, due in whole days
])
def test_relearning_steps_set_the_wait_after_a_lapse_and_the_again_button_says_so(learner, steps, state, due_in):
    bank_id = bank("a", numbered(1))
    if steps is not None:
        bank_options.save(learner, bank_id, Options(relearning_steps=steps))
    question = _lapsing_card(learner, bank_id, lapses=0)
    pick = study_queue.next_card(learner, [bank_id], NOW)
    label = study_queue.button_intervals(learner, pick, NOW)[sched.AGAIN]
    forgotten = answers.record_answer(learner, question.id, 0, "wrong", "w", now=NOW)
    after = sched.CardState.from_json(forgotten.log.state_after)
    assert after.state == state and after.lapses == 1
    if due_in is not None:
        assert after.due == NOW + due_in and label == f"{due_in.seconds // 60}m"
    else:
        assert after.due >= NOW + timedelta(hours=12) and label.endswith("d")
    # Answered right at its step, the card is a review card again.
    if state == sched.RELEARNING:
        back = answers.record_answer(learner, question.id, 0, "a0", "r", now=after.due)
        assert sched.CardState.from_json(back.log.state_after).state == (sched.REVIEW if len(steps or (10,)) == 1
                                                                         else sched.RELEARNING)


def _lapsing_card(learner, bank_id, lapses: int) -> Question:
    question = db.session.scalar(select(Question).where(Question.bank_id == bank_id, Question.key == "q0"))
    db.session.add(Card(user_id=learner.id, question_id=question.id, state=sched.REVIEW, stability=5.0,
                        difficulty=5.0, due=NOW - timedelta(hours=1), last_review=NOW - timedelta(days=5),
                        reps=5, lapses=lapses))
    db.session.commit()
    return question


@pytest.mark.parametrize(("threshold", "action", "leech", "suspended"), [
    (None, None, False, False),  # the default: 8 lapses; this is the 3rd
    (3, "tag", True, False),
    (3, "suspend", True, True),
    (4, "suspend", False, False),
])
def test_the_leech_threshold_and_action(learner, threshold, action, leech, suspended):
    bank_id = bank("a", numbered(1))
    if threshold is not None:
        bank_options.save(learner, bank_id, Options(leech_threshold=threshold, leech_action=action))
    question = _lapsing_card(learner, bank_id, lapses=2)
    answers.record_answer(learner, question.id, 0, "wrong", "w", now=NOW)  # forgotten: the 3rd lapse
    db.session.expire_all()
    card = db.session.scalar(select(Card).where(Card.question_id == question.id))
    assert (card.lapses, card.leech, card.suspended) == (3, leech, suspended)
    # A right answer never makes a leech, nor suspends.
    if not leech:
        assert study_queue.next_card(learner, [bank_id], NOW + timedelta(minutes=20)) is not None
