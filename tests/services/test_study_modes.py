"""Learn rounds and the Match game against a real database: the choices offered, the steps, the
grading (the short-answer rules), and the card states (exactly what record_answer gives)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain import scheduling as sched
from quizapp.domain.questions import get_type
from quizapp.extensions import db
from quizapp.models import Bank, Card, MatchBest, Question, ReviewLog, User
from quizapp.services import answers, learn_mode, match_game
from quizapp.services.cards import AskAgain, UnknownCard
from quizapp.services.errors import NotFound
from tests.factories import NOW, make_bank

VOCAB = [
    {"id": "fr", "type": "short_answer", "prompt": "Capital of France?", "answers": ["Paris"]},
    {"id": "de", "type": "short_answer", "prompt": "Capital of Germany?", "answers": ["Berlin"]},
    {"id": "it", "type": "short_answer", "prompt": "Capital of Italy?", "answers": ["Rome", "Roma"]},
    {"id": "es", "type": "short_answer", "prompt": "Capital of Spain?", "answers": ["Madrid"]},
    # Traps for France's choices: the same answer, and one a typo away from it.
    {"id": "louvre", "type": "short_answer", "prompt": "City of the Louvre?", "answers": ["paris"]},
    {"id": "typo", "type": "short_answer", "prompt": "A surname?", "answers": ["Pariss"]},
    {"id": "c1", "type": "flashcard", "front": "chat", "back": "cat"},
    {"id": "c2", "type": "flashcard", "front": "chien", "back": "dog"},
    {"id": "c3", "type": "flashcard", "front": "oiseau", "back": "bird"},
    {"id": "c4", "type": "flashcard", "front": "poisson", "back": "fish"},
    {"id": "m1", "type": "matching", "prompt": "Numbers",
     "pairs": [["un", "one"], ["deux", "two"], ["trois", "three"]]},
    {"id": "mc", "type": "multiple_choice", "prompt": "Pick", "choices": ["a", "b"], "answer": "a"},
]
SHORT = get_type("short_answer")


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank("vocab", VOCAB, title="Vocabulary")
        uid = make_user()
        yield db.session.get(User, uid)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


def vocab_id() -> int:
    return db.session.scalar(select(Bank.id).where(Bank.slug == "vocab"))


def question(key: str) -> Question:
    return db.session.scalar(select(Question).where(Question.key == key))


def keys(rnd: learn_mode.Round) -> list[str]:
    return [db.session.get(Question, i.question_id).key for i in rnd.items]


def card_of(user: User, key: str, ordinal: int = 0) -> Card | None:
    return db.session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question(key).id,
                                                Card.ordinal == ordinal))


def state(card: Card) -> tuple:
    return (card.state, card.step, card.stability, card.difficulty, card.due, card.reps, card.lapses)


def logs(user: User) -> list[ReviewLog]:
    return list(db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == user.id).order_by(ReviewLog.id)))


def twin(make_user, email: str) -> User:
    return db.session.get(User, make_user(email))


def right_option(rnd, asked) -> str:
    tgt = learn_mode.target(asked.question, asked.ordinal)
    return next(o for o in asked.options if learn_mode.grade(tgt, o).correct)


def wrong_option(rnd, asked) -> str:
    tgt = learn_mode.target(asked.question, asked.ordinal)
    return next(o for o in asked.options if not learn_mode.grade(tgt, o).correct)


# -- Learn ------------------------------------------------------------------------------------------------

def test_a_round_takes_flashcards_and_short_answers_due_first_then_new_in_bank_order(learner):
    # "de" answered yesterday and due again now; "fr" answered and not due for days.
    for key, rating in (("de", sched.AGAIN), ("fr", sched.EASY)):
        q = question(key)
        answers.record_answer(learner, q.id, 0, "x" if rating == sched.AGAIN else "Paris", f"seed-{key}",
                              now=NOW - timedelta(days=1), rating=rating)
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=10, seed="s")
    assert keys(rnd) == ["de", "it", "es", "louvre", "typo", "c1", "c2", "c3", "c4", "fr"]
    # New cards start with a choice; studied ones are typed straight away.
    assert [i.step for i in rnd.items] == ["typed"] + ["choice"] * 8 + ["typed"]
    assert keys(learn_mode.start_round(learner, [vocab_id()], NOW, size=3, seed="s")) == ["de", "it", "es"]


def test_suspended_and_buried_cards_stay_out(learner):
    from quizapp.services import cards
    cards.set_suspended(learner, question("fr").id, 0, True)
    cards.bury(learner, question("de").id, 0, NOW)
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=20, seed="s")
    assert "fr" not in keys(rnd) and "de" not in keys(rnd) and "it" in keys(rnd)


@pytest.mark.parametrize("seed", ["a", "b", "c", "d", "e", "f"])
def test_choices_hold_the_answer_once_and_never_another_form_the_grading_accepts(learner, seed):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=20, seed=seed)
    for item in rnd.items:
        q = db.session.get(Question, item.question_id)
        options = learn_mode.choices(seed, q, item.ordinal)
        tgt = learn_mode.target(q, item.ordinal)
        assert len(options) == 4 and len(set(options)) == 4
        accepted = [o for o in options if SHORT.grade(tgt.grading, o).score > 0]
        assert accepted == [tgt.answer]
        assert not any(SHORT.grade(tgt.grading, o).near_miss for o in options)
        # Other answers of the same bank and type only: the backs of flashcards, short answers' answers.
        pool = {str(v["back"]) for v in VOCAB if v["type"] == "flashcard"} if q.type == "flashcard" else \
            {str(v["answers"][0]) for v in VOCAB if v["type"] == "short_answer"}
        assert set(options) <= pool
        assert options == learn_mode.choices(seed, q, item.ordinal)  # the same on every reload
    france = learn_mode.choices(seed, question("fr"), 0)
    assert "paris" not in france and "Pariss" not in france and "Paris" in france


def test_too_few_other_answers_means_the_card_is_typed_from_the_start(app_ctx, make_user):
    make_bank("tiny", [{"id": "a", "type": "flashcard", "front": "A", "back": "alpha"},
                       {"id": "b", "type": "flashcard", "front": "B", "back": "beta"}])
    user = db.session.get(User, make_user())
    rnd = learn_mode.start_round(user, [db.session.scalar(select(Bank.id))], NOW, seed="s")
    assert [i.step for i in rnd.items] == ["typed", "typed"]


def test_a_wrong_choice_keeps_the_card_at_the_choice_and_rates_it_again_once(learner, make_user):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=2, seed="s")
    asked = learn_mode.current(learner, rnd)
    assert asked.question.key == "fr" and asked.step == "choice"
    result = learn_mode.answer(learner, rnd, asked.question.id, 0, wrong_option(rnd, asked), NOW)
    assert not result.right and result.rating == sched.AGAIN and result.expected == "Paris"
    assert rnd.items[0].step == "choice" and rnd.items[0].rated
    # The round moves on to the next card, then comes back to France, still as a choice.
    assert learn_mode.current(learner, rnd).question.key == "de"
    other = learn_mode.current(learner, rnd)
    learn_mode.answer(learner, rnd, other.question.id, 0, right_option(rnd, other), NOW)
    again = learn_mode.current(learner, rnd)
    assert again.question.key == "fr" and again.step == "choice"
    result = learn_mode.answer(learner, rnd, again.question.id, 0, right_option(rnd, again), NOW + timedelta(seconds=9))
    assert result.right and result.rating is None  # the second answer is practice: not rated
    assert rnd.items[0].step == "typed"
    assert [(log.kind, log.rating) for log in logs(learner)] == [("learn", sched.AGAIN), ("learn", sched.GOOD)]
    # The card is exactly where record_answer with Again puts it.
    other_user = twin(make_user, "twin@example.com")
    answers.record_answer(other_user, question("fr").id, 0, "Berlin", "twin-1", now=NOW)
    assert state(card_of(learner, "fr"))[:4] == state(card_of(other_user, "fr"))[:4]
    assert card_of(learner, "fr").due == card_of(other_user, "fr").due


def test_right_choice_then_typed_recall_masters_a_card_and_rates_it_good_once(learner, make_user):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=1, seed="s")
    asked = learn_mode.current(learner, rnd)
    result = learn_mode.answer(learner, rnd, asked.question.id, 0, right_option(rnd, asked), NOW)
    assert result.right and result.rating == sched.GOOD and rnd.items[0].step == "typed" and not rnd.done
    typed = learn_mode.current(learner, rnd)
    assert typed.step == "typed" and typed.options == []
    result = learn_mode.answer(learner, rnd, typed.question.id, 0, "  PARIS ", NOW + timedelta(seconds=5))
    assert result.right and result.rating is None and rnd.done and rnd.mastered == 1
    assert learn_mode.current(learner, rnd) is None
    assert len(logs(learner)) == 1
    other_user = twin(make_user, "twin@example.com")
    answers.record_answer(other_user, question("fr").id, 0, "Paris", "twin-1", now=NOW)  # suggested: Good
    assert state(card_of(learner, "fr")) == state(card_of(other_user, "fr"))


def test_a_typed_near_miss_short_answer_refuses_is_refused_here_too(learner):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=1, seed="s")
    rnd.items[0].step = "typed"  # as for a card studied before
    outcome = SHORT.grade(question("fr").data, "Pariz")
    assert outcome.score == 0 and outcome.near_miss == "Paris"
    result = learn_mode.answer(learner, rnd, question("fr").id, 0, "Pariz", NOW)
    assert not result.right and result.near_miss == "Paris" and result.rating == sched.AGAIN
    assert rnd.items[0].step == "typed" and not rnd.done
    # And forms short_answer accepts are accepted: accents, case and spacing folded.
    assert learn_mode.answer(learner, rnd, question("fr").id, 0, "pàris", NOW).right


def test_a_flashcard_is_typed_against_its_back_and_rated_by_the_same_rule(learner, make_user):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=10, seed="s")
    index = keys(rnd).index("c1")
    rnd.current = index
    rnd.items[index].step = "typed"
    assert not learn_mode.answer(learner, rnd, question("c1").id, 0, "dog", NOW).right
    rnd.current = index
    assert learn_mode.answer(learner, rnd, question("c1").id, 0, "Cat", NOW).right
    assert rnd.items[index].step == "mastered"
    [log] = logs(learner)
    assert (log.kind, log.rating, log.answer) == ("learn", sched.AGAIN, "dog")
    other_user = twin(make_user, "twin@example.com")
    answers.record_answer(other_user, question("c1").id, 0, None, "twin-1", now=NOW, rating=sched.AGAIN)
    assert state(card_of(learner, "c1")) == state(card_of(other_user, "c1"))


def test_refusals_change_nothing(learner):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=2, seed="s")
    asked = learn_mode.current(learner, rnd)
    before = rnd.to_session()
    with pytest.raises(AskAgain):
        learn_mode.answer(learner, rnd, asked.question.id, 0, "Lisbon", NOW)  # not one of the choices
    with pytest.raises(AskAgain):
        learn_mode.answer(learner, rnd, asked.question.id, 0, "   ", NOW)
    with pytest.raises(learn_mode.LearnError):
        learn_mode.answer(learner, rnd, question("es").id, 0, "Madrid", NOW)  # not the card asked now
    assert rnd.to_session() == before and logs(learner) == []


def test_only_the_learners_own_banks(app, learner, make_user):
    teacher = db.session.get(User, make_user("t@example.com", role="teacher"))
    make_bank("private", [{"id": "p1", "type": "short_answer", "prompt": "Secret?", "answers": ["yes"]}],
              builtin=False, owner=teacher)
    private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
    with pytest.raises(learn_mode.LearnError):
        learn_mode.start_round(learner, [private], NOW)
    rnd = learn_mode.start_round(learner, [private, vocab_id()], NOW, size=20, seed="s")
    assert "p1" not in keys(rnd)
    # A round made up to point at the private question (a forged session) gets a 404 error.
    forged = learn_mode.Round("x", "s", [learn_mode.Item(question("p1").id, 0, "typed")])
    with pytest.raises(UnknownCard):
        learn_mode.answer(learner, forged, question("p1").id, 0, "yes", NOW)
    with pytest.raises(learn_mode.LearnError):
        learn_mode.start_round(learner, [vocab_id()], NOW, size=learn_mode.MAX_SIZE + 1)


def test_a_round_survives_the_session_and_junk_is_no_round(learner):
    rnd = learn_mode.start_round(learner, [vocab_id()], NOW, size=5, seed="s")
    back = learn_mode.Round.from_session(rnd.to_session())
    assert back == rnd
    for junk in (None, {}, {"id": "x", "seed": "s", "cur": 0, "items": []},
                 {"id": "x", "seed": "s", "cur": 3, "items": [[1, 0, 0, 0]]},
                 {"id": "x", "seed": "s", "cur": 0, "items": [[1, 0, 9, 0]]},
                 {"id": "x", "seed": "s", "cur": 0, "items": [[1, 0, -1, 0]]},
                 {"id": "x", "seed": "s", "cur": 0, "items": [[1, 0, 0, 0]] * (learn_mode.MAX_SIZE + 1)}):
        assert learn_mode.Round.from_session(junk) is None


# -- Match ------------------------------------------------------------------------------------------------

def test_a_board_holds_six_pairs_with_no_repeated_tile(learner):
    game = match_game.start_game(learner, vocab_id(), NOW, seed="s")
    tiles = match_game.board(learner, game)
    assert len(tiles) == 12
    texts = [t.text.lower() for t in tiles]
    assert len(set(texts)) == 12  # "paris" (the Louvre) never beside "Paris"
    for pair in range(6):
        sides = sorted(t.side for t in tiles if t.pair == pair)
        assert sides == ["definition", "term"]
    assert tiles == match_game.board(learner, game)  # the same board on a reload
    with pytest.raises(NotFound):
        match_game.start_game(learner, 10_000, NOW)


def test_first_tries_rate_the_cards_as_record_answer_would(learner, make_user):
    game = match_game.start_game(learner, vocab_id(), NOW, seed="s")
    tiles = match_game.board(learner, game)
    units = match_game.units(learner, game)
    # "louvre" is left out: its answer "paris" would be a second "Paris" tile.
    assert [u.question.key for u in units] == ["fr", "de", "it", "es", "typo", "c1"]
    # Germany's term first paired with Italy's answer: both pairs missed; the rest right at once.
    de_term = next(t for t in tiles if t.text == "Capital of Germany?")
    rome = next(t for t in tiles if t.text == "Rome")
    berlin = next(t for t in tiles if t.text == "Berlin")
    italy = next(t for t in tiles if t.text == "Capital of Italy?")
    misses = {de_term.pair: rome.id, rome.pair: de_term.id}
    done = match_game.finish(learner, game, misses, 1, NOW + timedelta(seconds=20))
    assert done.time_ms == 21_000 and done.best_ms == 21_000 and done.new_best
    assert done.right_first == 4 and done.pairs == 6
    assert done.ratings == [sched.GOOD, sched.AGAIN, sched.AGAIN, sched.GOOD, sched.GOOD, sched.GOOD]
    got = {log.card_id: (log.kind, log.rating, log.answer) for log in logs(learner)}
    assert got[card_of(learner, "de").id] == ("match", sched.AGAIN, rome.text)
    assert got[card_of(learner, "it").id] == ("match", sched.AGAIN, de_term.text)
    assert got[card_of(learner, "fr").id] == ("match", sched.GOOD, "Paris")
    assert berlin.pair == de_term.pair and italy.pair == rome.pair
    other_user = twin(make_user, "twin@example.com")
    answers.record_answer(other_user, question("de").id, 0, "Rome", "t1", now=NOW + timedelta(seconds=20))
    answers.record_answer(other_user, question("fr").id, 0, "Paris", "t2", now=NOW + timedelta(seconds=20))
    assert state(card_of(learner, "de")) == state(card_of(other_user, "de"))
    assert state(card_of(learner, "fr")) == state(card_of(other_user, "fr"))
    # The same game sent again rates nothing twice; a slower game keeps the best time.
    slower = match_game.finish(learner, game, {}, 0, NOW + timedelta(seconds=40))
    assert not slower.new_best and slower.best_ms == 21_000
    assert len(logs(learner)) == 6
    best = db.session.get(MatchBest, (learner.id, vocab_id()))
    assert (best.best_ms, best.games) == (21_000, 2)


def test_a_matching_question_is_graded_from_its_first_picks(app_ctx, make_user):
    make_bank("nums", [VOCAB[10], *VOCAB[6:9]])
    user = db.session.get(User, make_user())
    bank = db.session.scalar(select(Bank.id))
    game = match_game.start_game(user, bank, NOW, seed="s")
    units = match_game.units(user, game)
    assert [u.question.key for u in units] == ["m1", "c1", "c2", "c3"]
    tiles = match_game.board(user, game)
    by_text = {t.text: t for t in tiles}
    # "un" first paired with "two" (inside the question), "deux" with "two" right; 1 of 3 right: Again.
    misses = {by_text["un"].pair: by_text["two"].id, by_text["two"].pair: by_text["un"].id}
    done = match_game.finish(user, game, misses, 1, NOW + timedelta(seconds=10))
    [m_log] = [log for log in logs(user) if log.card_id == card_of(user, "m1").id]
    assert m_log.answer == ["two", "", "three"] and m_log.rating == sched.AGAIN
    assert done.ratings[0] == sched.AGAIN and done.ratings[1:] == [sched.GOOD] * 3


def test_a_result_that_does_not_fit_the_game_is_refused(learner):
    game = match_game.start_game(learner, vocab_id(), NOW, seed="s")
    for misses, wrong in (({99: 0}, 1), ({0: 999}, 1), ({0: 1}, 0)):
        with pytest.raises(match_game.MatchError):
            match_game.finish(learner, game, misses, wrong, NOW + timedelta(seconds=5))
    with pytest.raises(match_game.MatchError):
        match_game.finish(learner, game, {}, 0, NOW + timedelta(hours=3))
    assert logs(learner) == [] and db.session.scalar(select(func.count()).select_from(MatchBest)) == 0


def test_bank_choices_list_playable_banks_with_best_times(learner, make_user):
    make_bank("mcq", [{"id": "x", "type": "multiple_choice", "prompt": "P", "choices": ["a", "b"], "answer": "a"}])
    [choice] = match_game.bank_choices(learner)
    assert (choice.title, choice.pairs, choice.best_ms) == ("Vocabulary", 13, None)
    game = match_game.start_game(learner, vocab_id(), NOW, seed="s")
    match_game.finish(learner, game, {}, 0, NOW + timedelta(seconds=12))
    [choice] = match_game.bank_choices(learner)
    assert (choice.best_ms, choice.games) == (12_000, 1)
    assert match_game.bank_choices(twin(make_user, "b@example.com"))[0].best_ms is None


def test_a_flashcards_back_is_taken_literally_a_star_is_no_wildcard(app_ctx, make_user):
    make_bank("stars", [{"id": "s", "type": "flashcard", "front": "Footnote mark", "back": "a*b"}],
              bank_fields={"grading": {"case_sensitive": True}})
    q = db.session.scalar(select(Question))
    tgt = learn_mode.target(q, 0)
    assert learn_mode.grade(tgt, "a*b").correct
    assert not learn_mode.grade(tgt, "aXXb").correct
    assert not learn_mode.grade(tgt, "A*B").correct  # the bank's "letter case matters" applies
