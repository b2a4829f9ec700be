"""The card browser's actions beyond suspend and bury (flag, reset to new, set due date), a card's
history, and the daily queue's assigned work first, against a real database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain import scheduling as sched
from quizapp.domain.progress import StudyCalendar
from quizapp.extensions import db
from quizapp.models import Assignment, Bank, Card, Classroom, Membership, Question, ReviewLog, User
from quizapp.services import answers, browse, card_history, study_queue
from quizapp.services.errors import NotFound
from tests.answers import response_for
from tests.factories import NOW, QUESTIONS, make_bank
from tests.progress_seed import seed_learner


def card(learner, question_id: int, ordinal: int = 0) -> Card | None:
    db.session.expire_all()
    return db.session.scalar(select(Card).where(Card.user_id == learner.id, Card.question_id == question_id,
                                                Card.ordinal == ordinal))


def schedule(learner) -> dict:
    db.session.expire_all()
    return {(c.question_id, c.ordinal): (c.state, c.due, c.stability, c.difficulty, c.last_review, c.reps, c.lapses,
                                         c.flag, c.suspended)
            for c in db.session.scalars(select(Card).where(Card.user_id == learner.id))}


def foreign_question(make_user) -> int:
    teacher = db.session.get(User, make_user(email="t@example.com", role="teacher"))
    make_bank("private", [{"id": "p", "type": "true_false", "prompt": "Secret", "answer": True}], builtin=False,
              owner=teacher)
    return db.session.scalar(select(Question.id).where(Question.key == "p"))


def prompts(filt: browse.Filter, now=NOW, learner=None) -> set[str]:
    return {r.prompt for r in browse.browse(learner, filt, 1, now).rows}


# -- flags ---------------------------------------------------------------------------------------
def test_flags_are_set_filtered_and_taken_off(learner):
    ids = seed_learner(learner.id, NOW)
    before = schedule(learner)
    # "match" was never studied: flagging it makes its row, as suspending does.
    assert browse.apply(learner, "flag", [(ids["capital"], 0), (ids["match"], 0)], NOW, flag=1) == 2
    assert browse.apply(learner, "flag", [(ids["tf"], 0)], NOW, flag=4) == 1
    assert prompts(browse.Filter(flag="1"), learner=learner) == {"Where did Mao travel in December 1949?", "Match"}
    assert prompts(browse.Filter(flag="4"), learner=learner) == {"The treaty was signed in 1950."}
    assert len(prompts(browse.Filter(flag="any"), learner=learner)) == 3
    assert "Match" not in prompts(browse.Filter(flag="none"), learner=learner)
    assert "Who led the KMT?" in prompts(browse.Filter(flag="none"), learner=learner)
    rows = {r.prompt: r for r in browse.browse(learner, browse.Filter(flag="any"), 1, NOW).rows}
    assert rows["Match"].flag == 1 and rows["Match"].flag_name == "Red"
    # A flag changes nothing of the schedule.
    after = schedule(learner)
    assert {k: v[:7] for k, v in after.items() if k in before} == {k: v[:7] for k, v in before.items()}
    assert browse.apply(learner, "flag", [(ids["capital"], 0)], NOW, flag=1) == 0  # already red
    assert browse.apply(learner, "flag", [(ids["capital"], 0), (ids["card"], 0)], NOW, flag=0) == 1  # "card": no row
    assert card(learner, ids["card"]) is None
    assert prompts(browse.Filter(flag="1"), learner=learner) == {"Match"}


@pytest.mark.parametrize("flag", [None, 5, -1, 9])
def test_a_flag_colour_that_does_not_exist_is_refused_and_changes_nothing(learner, flag):
    ids = seed_learner(learner.id, NOW)
    before = schedule(learner)
    with pytest.raises(browse.CannotApply):
        browse.apply(learner, "flag", [(ids["capital"], 0)], NOW, flag=flag)
    assert schedule(learner) == before


def test_an_unknown_flag_filter_is_refused():
    with pytest.raises(browse.BrowseError):
        browse.Filter(flag="purple")


# -- reset to new ----------------------------------------------------------------------------------
def test_reset_to_new_makes_the_card_new_and_keeps_its_answers_and_counts(learner):
    ids = seed_learner(learner.id, NOW)
    banks = [db.session.get(Question, ids["capital"]).bank_id]
    logs_before = db.session.scalar(select(func.count(ReviewLog.id)))
    new_before = study_queue.counts(learner, banks, NOW).new
    assert browse.apply(learner, "forget", [(ids["year"], 0), (ids["who"], 0), (ids["card"], 0)], NOW) == 2
    year = card(learner, ids["year"])
    assert (year.state, year.due, year.stability, year.difficulty, year.last_review) == (sched.NEW, None, None,
                                                                                          None, None)
    assert (year.reps, year.lapses, year.leech) == (3, 8, True)  # as Anki: counts and the leech mark kept
    assert card(learner, ids["card"]) is None  # never studied: nothing to reset, no row made
    assert db.session.scalar(select(func.count(ReviewLog.id))) == logs_before  # history kept
    assert {"When was the PRC proclaimed?", "Who led the KMT?"} <= prompts(browse.Filter(state="new"), learner=learner)
    # Back with the new cards of the daily queue (bank order), within the new-card limit.
    assert study_queue.counts(learner, banks, NOW).new == new_before + 2
    assert browse.apply(learner, "forget", [(ids["year"], 0)], NOW) == 0  # already new


# -- set due date -----------------------------------------------------------------------------------
def test_set_due_date_moves_a_review_card_and_keeps_its_memory(learner):
    ids = seed_learner(learner.id, NOW)
    calendar = StudyCalendar(learner.timezone, learner.day_start_hour)
    day = calendar.date_of(NOW) + timedelta(days=3)
    before = card(learner, ids["capital"])
    stability, difficulty, last = before.stability, before.difficulty, before.last_review
    assert browse.apply(learner, "reschedule", [(ids["capital"], 0), (ids["who"], 0)], NOW, due_on=day) == 2
    capital, who = card(learner, ids["capital"]), card(learner, ids["who"])
    assert capital.due == calendar.start_of(day) and capital.state == sched.REVIEW
    assert (capital.stability, capital.difficulty, capital.last_review) == (stability, difficulty, last)
    assert (who.state, who.step, who.due) == (sched.REVIEW, None, calendar.start_of(day))  # learning: now a review
    assert prompts(browse.Filter(due="week", sort="due"), learner=learner) >= {"Who led the KMT?",
                                                                               "Where did Mao travel in December 1949?"}
    # Today is allowed: due at once, counted in today's reviews.
    banks = [db.session.get(Question, ids["capital"]).bank_id]
    due_before = study_queue.counts(learner, banks, NOW).due
    browse.apply(learner, "reschedule", [(ids["tf"], 0)], NOW, due_on=calendar.date_of(NOW))
    assert study_queue.counts(learner, banks, NOW).due == due_before + 1


def test_set_due_date_is_all_or_nothing(learner):
    ids = seed_learner(learner.id, NOW)
    today = StudyCalendar(learner.timezone, learner.day_start_hour).date_of(NOW)
    before = schedule(learner)
    # A new card among them: refused, and the review card beside it is not moved either.
    with pytest.raises(browse.CannotApply, match="new card"):
        browse.apply(learner, "reschedule", [(ids["capital"], 0), (ids["match"], 0)], NOW, due_on=today)
    browse.apply(learner, "forget", [(ids["tf"], 0)], NOW)
    before = schedule(learner)
    with pytest.raises(browse.CannotApply, match="new card"):  # reset to new: a row, but no memory
        browse.apply(learner, "reschedule", [(ids["capital"], 0), (ids["tf"], 0)], NOW, due_on=today)
    for day in (today - timedelta(days=1), today + timedelta(days=browse.MAX_DAYS + 1), None):
        with pytest.raises(browse.CannotApply):
            browse.apply(learner, "reschedule", [(ids["capital"], 0)], NOW, due_on=day)
    assert schedule(learner) == before


@pytest.mark.parametrize(("action", "options"), [("flag", {"flag": 2}), ("forget", {}),
                                                 ("reschedule", {"due_on": date(2026, 3, 5)})])
def test_another_bank_s_card_is_a_404_and_nothing_changes(learner, make_user, action, options):
    ids = seed_learner(learner.id, NOW)
    foreign = foreign_question(make_user)
    before = schedule(learner)
    with pytest.raises(NotFound):
        browse.apply(learner, action, [(ids["capital"], 0), (foreign, 0)], NOW, **options)
    with pytest.raises(NotFound):  # the cloze question makes cards 1 and 2, not 7
        browse.apply(learner, action, [(ids["cloze"], 7)], NOW, **options)
    assert schedule(learner) == before
    assert db.session.scalar(select(func.count(Card.id)).where(Card.question_id == foreign)) == 0


# -- a card's history ----------------------------------------------------------------------------------
def test_history_lists_every_answer_in_the_learners_time_zone(learner):
    ids = seed_learner(learner.id, NOW)
    learner.timezone = "Asia/Shanghai"  # UTC+8
    db.session.commit()
    who = db.session.get(Question, ids["who"])
    first, second = NOW, NOW + timedelta(hours=1)
    answers.record_answer(learner, who.id, 0, "Mao", "h1", now=first)  # wrong
    answers.record_answer(learner, who.id, 0, "Chiang", "h2", now=second)  # right
    history = card_history.history(learner, who.id, 0, second)
    assert history.prompt == "Who led the KMT?" and history.bank_title == "Demo bank"
    latest, earlier, *_ = history.entries
    assert (latest.answer, latest.right, earlier.answer, earlier.right) == ("Chiang", True, "Mao", False)
    assert earlier.rating == "Again" and latest.rating in ("Good", "Easy", "Hard")
    assert earlier.at_text == "2026-03-02 20:00" and latest.at_text == "2026-03-02 21:00"  # 12:00 UTC is 20:00 there
    assert earlier.interval and latest.interval  # what each answer gave, as the buttons say it ("10m", "1d")
    assert latest.kind == "Study"
    assert len(history.entries) == 3  # the seed's answer yesterday too (no state recorded: no interval)
    assert history.entries[-1].interval == ""
    assert history.stage in ("Learning", "Review") and history.due is not None


def test_a_card_never_studied_has_an_empty_history_and_others_cards_are_404(learner, make_user):
    ids = seed_learner(learner.id, NOW)
    history = card_history.history(learner, ids["match"], 0, NOW)
    assert history.entries == [] and history.is_new and history.due is None
    foreign = foreign_question(make_user)
    for qid, ordinal in ((foreign, 0), (ids["cloze"], 9), (10**6, 0)):
        with pytest.raises(NotFound):
            card_history.history(learner, qid, ordinal, NOW)


def test_another_learners_history_is_not_shown(learner, make_user):
    ids = seed_learner(learner.id, NOW)
    other = db.session.get(User, make_user(email="b@example.com"))
    history = card_history.history(other, ids["capital"], 0, NOW)  # the same built-in card: B's own, unstudied
    assert history.entries == [] and history.reps == 0


# -- assigned work first -----------------------------------------------------------------------------
def _class_with(learner, teacher_id: int, *assignments) -> Classroom:
    room = Classroom(name="History 1", owner_id=teacher_id, join_code=f"C{len(assignments)}ABC234")
    db.session.add(room)
    db.session.flush()
    db.session.add(Membership(class_id=room.id, user_id=learner.id))
    for bank_id, due_at in assignments:
        db.session.add(Assignment(class_id=room.id, bank_id=bank_id, due_at=due_at))
    db.session.commit()
    return room


def _two_banks_due(learner) -> dict[str, int]:
    """Banks "a" (first in bank order), "b" and "c", each with one review due today and new cards;
    the review of "a" is the most at risk (the lowest recall)."""
    banks = {}
    for slug in ("a", "b", "c"):
        report = make_bank(slug, [{**q, "id": f"{slug}-{q['id']}"} for q in QUESTIONS[:3]], title=f"Bank {slug}")
        del report
        banks[slug] = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
    for slug, stability in (("a", 1.0), ("b", 30.0), ("c", 20.0)):
        qid = db.session.scalar(select(Question.id).where(Question.key == f"{slug}-capital"))
        db.session.add(Card(user_id=learner.id, question_id=qid, state=sched.REVIEW, stability=stability,
                            difficulty=5.0, due=NOW - timedelta(hours=1), last_review=NOW - timedelta(days=5), reps=2))
    db.session.commit()
    return banks


def bank_of(pick) -> str:
    return pick.question.key.split("-")[0]


def test_without_a_class_the_most_at_risk_review_comes_first(learner):
    banks = _two_banks_due(learner)
    assert bank_of(study_queue.next_card(learner, sorted(banks.values()), NOW)) == "a"


def test_assigned_banks_reviews_and_new_cards_come_first_nearest_due_date_first(learner, make_user):
    banks = _two_banks_due(learner)
    teacher = make_user(email="t@example.com", role="teacher")
    _class_with(learner, teacher, (banks["b"], NOW + timedelta(days=10)), (banks["c"], NOW + timedelta(days=2)))
    every = sorted(banks.values())
    seen = []
    for n in range(9):
        pick = study_queue.next_card(learner, every, NOW)
        if pick is None:
            break
        seen.append((bank_of(pick), "new" if pick.card is None else "review"))
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question), f"a{n}", now=NOW)
    reviews = [b for b, kind in seen if kind == "review"]
    new = [b for b, kind in seen if kind == "new"]
    assert reviews == ["c", "b", "a"]  # due soonest first, then the other assignment, then the rest
    assert new[:4] == ["c", "c", "b", "b"] and set(new[4:]) <= {"a"}


def test_an_archived_class_no_longer_puts_its_banks_first(learner, make_user):
    banks = _two_banks_due(learner)
    teacher = make_user(email="t@example.com", role="teacher")
    room = _class_with(learner, teacher, (banks["b"], NOW + timedelta(days=1)))
    assert bank_of(study_queue.next_card(learner, sorted(banks.values()), NOW)) == "b"
    room.archived_at = NOW
    db.session.commit()
    assert bank_of(study_queue.next_card(learner, sorted(banks.values()), NOW)) == "a"


def test_an_assignment_without_a_date_comes_after_dated_ones_and_before_the_rest(learner, make_user):
    banks = _two_banks_due(learner)
    teacher = make_user(email="t@example.com", role="teacher")
    _class_with(learner, teacher, (banks["b"], None), (banks["c"], NOW + timedelta(days=30)))
    order = []
    for n in range(3):
        pick = study_queue.next_card(learner, sorted(banks.values()), NOW)
        order.append(bank_of(pick))
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question), f"d{n}", now=NOW,
                              rating=sched.GOOD)
    assert order == ["c", "b", "a"]


def test_a_card_reset_to_new_stays_new_when_every_card_is_replayed(learner):
    """Optimising the scheduler replays each card's answers: not those from before a reset."""
    from quizapp.services import tuning
    from quizapp.services.writes import begin_write

    ids = seed_learner(learner.id, NOW)
    who = db.session.get(Question, ids["who"])
    answers.record_answer(learner, who.id, 0, "Chiang", "r1", now=NOW)
    capital = db.session.get(Question, ids["capital"])
    answers.record_answer(learner, capital.id, 0, "Moscow", "r2", now=NOW)
    browse.apply(learner, "forget", [(who.id, 0)], NOW + timedelta(minutes=1))
    begin_write()
    tuning.recompute_memory_states(learner)
    db.session.commit()
    assert card(learner, who.id).state == sched.NEW  # still reset
    replayed = card(learner, capital.id)  # the others replayed from all their answers (the seed's two and one)
    assert replayed.state != sched.NEW and replayed.reps == 3
    later = NOW + timedelta(minutes=2)
    answers.record_answer(learner, who.id, 0, "Chiang", "r3", now=later)  # studied again after the reset
    begin_write()
    tuning.recompute_memory_states(learner)
    db.session.commit()
    after = card(learner, who.id)
    assert after.state != sched.NEW and after.reps == 1 and after.last_review == later


def test_the_study_pages_bank_list_is_every_bank_the_learner_may_study_assigned_first(learner, make_user):
    """study_queue.study_banks gives the study page its banks (in the queue's turn) in the same statement:
    exactly catalog.accessible_bank_ids, whatever makes a bank the learner's or not."""
    from quizapp.services import bank_options
    from quizapp.services.catalog import accessible_bank_ids

    banks = _two_banks_due(learner)  # built-in
    teacher = make_user(email="t@example.com", role="teacher")
    for slug, owner in (("private", teacher), ("assigned", teacher), ("retired", teacher), ("school", teacher)):
        make_bank(slug, QUESTIONS[:1], title=slug, builtin=False, owner=db.session.get(User, owner))
        banks[slug] = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
    db.session.get(Bank, banks["retired"]).retired_at = NOW
    db.session.get(Bank, banks["school"]).sharing = "school"
    db.session.commit()
    _class_with(learner, teacher, (banks["assigned"], NOW + timedelta(days=3)), (banks["b"], None))
    bank_options.save(learner, banks["c"], bank_options.Options(new_order="random", bury_siblings=False))
    listed = study_queue.study_banks(learner)
    assert {b.id for b in listed} == accessible_bank_ids(learner)
    assert {banks["private"], banks["retired"]}.isdisjoint(b.id for b in listed)
    assert [b.id for b in listed][:2] == [banks["assigned"], banks["b"]]  # dated assignment, then undated
    assert [b.id for b in listed][2:] == sorted(b.id for b in listed[2:])
    options = {b.id: (b.new_order, b.bury_siblings) for b in listed}
    assert options[banks["c"]] == ("random", False) and options[banks["a"]] == ("bank", True)
