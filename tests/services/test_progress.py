"""The dashboard's queries against a real database: seeded rows, and real answers through the study service."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select

from quizapp.domain import progress as prog
from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import answers, progress, study_queue
from quizapp.services import cards as card_rules
from tests.answers import response_for
from tests.factories import NOW, make_bank
from tests.progress_seed import EXPECTED, seed_learner


def test_dashboard_of_a_seeded_learner(learner):
    seed_learner(learner.id, NOW)
    dash = progress.dashboard_context(learner, NOW)
    assert (dash.due.due, dash.due.overdue, dash.due.learning) == (EXPECTED["due"], EXPECTED["overdue"],
                                                                   EXPECTED["learning_due"])
    assert {i: f.count for i, f in enumerate(dash.forecast) if f.count} == EXPECTED["forecast"]
    assert dash.reviews_today == EXPECTED["reviews_today"]
    assert (dash.streak.current, dash.streak.longest, dash.streak.studied_today) == (3, 3, True)
    assert (dash.heatmap.total, dash.heatmap.active_days) == (EXPECTED["heatmap_total"], EXPECTED["active_days"])
    c = dash.counts
    assert (c.new, c.learning, c.young, c.mature, c.suspended) == (3, 1, 3, 2, 1)
    assert (dash.retention_total.reviews, dash.retention_total.passed) == (5, 3)
    # NOW is a Monday: today's two reviews are this week's, the rest the week before.
    assert [(w.week, w.retention.reviews, w.retention.passed) for w in dash.retention_weeks[-2:]] == [
        (date(2026, 2, 23), 3, 2), (date(2026, 3, 2), 2, 1)]
    assert [(b.name, b.retention.reviews, b.retention.passed) for b in dash.retention_banks] == [("Demo bank", 5, 3)]
    # The demo bank makes 10 cards; 7 have rows, 6 studied (one is new again); see the mastery test below.
    demo = dash.mastery_banks[0]
    assert demo.name == "Demo bank" and (demo.mastery.cards, demo.mastery.studied) == (10, 7)
    assert {m.name for m in dash.mastery_tags} == {"treaty", "1949", "alliances"}
    # The leech first, then the cards answered Again once in the last 14 days (members yesterday, capital
    # today), the lower recall first.
    assert [w.prompt for w in dash.weakest][:3] == [EXPECTED["weakest_first"], "Which were communist states in 1950?",
                                                    "Where did Mao travel in December 1949?"]
    assert dash.weakest[0].leech and dash.weakest[0].lapses == 8 and dash.weakest[1].wrong_recently == 1


def test_mastery_counts_the_cards_recalled_a_week_ahead_of_all_the_cards(learner):
    seed_learner(learner.id, NOW)
    scheduler = card_rules.scheduler_for(learner)
    week = NOW + timedelta(days=7)
    cards = {c.question.key: c for c in db.session.scalars(select(Card).where(Card.user_id == learner.id))}
    held = {k for k, c in cards.items() if c.state != sched.NEW and not c.suspended
            and sched.retrievability(card_rules.card_state(c), week, scheduler) >= learner.desired_retention}
    dash = progress.dashboard_context(learner, NOW)
    assert dash.mastery_banks[0].mastery.mastered == len(held)
    tags = {m.name: m.mastery for m in dash.mastery_tags}
    assert tags["treaty"].cards == 2 and tags["treaty"].mastered == len(held & {"capital", "tf"})
    assert tags["1949"].mastered == len(held & {"capital", "year"})


def test_a_bank_never_studied_shows_zero_mastery_not_a_blank(learner):
    make_bank("unopened", [{"id": "q", "type": "true_false", "prompt": "Stalin died in 1953.", "answer": True}],
              title="Unopened bank")
    seed_learner(learner.id, NOW)
    dash = progress.dashboard_context(learner, NOW)
    unopened = next(m for m in dash.mastery_banks if m.name == "Unopened bank")
    assert unopened.mastery == prog.Mastery(cards=1, mastered=0, studied=0) and unopened.mastery.share == 0.0


def test_a_learner_who_got_12_of_30_wrong_sees_them_all_as_weak_and_no_bank_at_100(learner):
    """Through the real study loop: 30 new cards answered, 12 wrong."""
    questions = [{"id": f"q{n}", "type": "true_false", "prompt": f"Statement {n}.", "answer": True}
                 for n in range(30)]
    make_bank("thirty", questions, title="Thirty")
    learner.new_per_day = 100
    db.session.commit()
    bank = [db.session.scalar(select(Question.bank_id).where(Question.key == "q0"))]
    wrong_ids = set()
    for n in range(30):
        pick = study_queue.next_card(learner, bank, NOW + timedelta(seconds=n))
        right = n % 5 not in (0, 2)  # 12 of 30 wrong
        answers.record_answer(learner, pick.question.id, pick.ordinal, right, f"a{n}", now=NOW + timedelta(seconds=n),
                            duration_ms=4000)
        if not right:
            wrong_ids.add(pick.question.id)
    assert len(wrong_ids) == 12
    dash = progress.dashboard_context(learner, NOW + timedelta(minutes=1))
    assert dash.weak_total == 12
    assert {w.question_id for w in dash.weakest} <= wrong_ids and len(dash.weakest) == prog.WEAKEST_LIMIT
    assert all(m.mastery.share < 1.0 for m in dash.mastery_banks)
    assert not dash.retention_total.enough  # no reviews of review cards yet: not a percentage


def test_real_answers_show_up(learner):
    make_bank()
    bank_ids = [db.session.scalar(select(Question.bank_id).limit(1))]
    for n in range(3):
        pick = study_queue.next_card(learner, bank_ids, NOW + timedelta(seconds=n))
        answers.record_answer(learner, pick.question.id, pick.ordinal,
                            response_for(pick.question, pick.ordinal, right=False),
                            f"a{n}", now=NOW + timedelta(seconds=n), rating=sched.AGAIN)
    dash = progress.dashboard_context(learner, NOW + timedelta(minutes=5))
    assert dash.reviews_today == 3 and dash.counts.learning == 3 and dash.counts.new == 10 - 3
    assert dash.streak.current == 1 and dash.retention_total.reviews == 0  # new cards are not retention
    assert dash.due.due == 3 and dash.forecast[0].count == 3


def test_days_follow_the_learners_time_zone_and_day_start(learner):
    learner.timezone, learner.day_start_hour = "Asia/Kolkata", 4  # UTC+5:30: days start at 22:30 UTC
    db.session.commit()
    make_bank()
    card = Card(user_id=learner.id, question_id=db.session.scalar(select(Question.id).limit(1)), state=sched.REVIEW,
                due=NOW + timedelta(days=3), last_review=NOW, stability=3.0, difficulty=5.0)
    db.session.add(card)
    db.session.flush()
    times = [datetime(2026, 3, 1, 22, 29, 59, tzinfo=UTC),  # 03:59 on 2 March in Kolkata: the day of 1 March
             datetime(2026, 3, 1, 22, 30, tzinfo=UTC), datetime(2026, 3, 2, 11, 0, tzinfo=UTC)]  # 2 March
    for n, when in enumerate(times):
        db.session.add(ReviewLog(user_id=learner.id, card_id=card.id, client_id=f"t{n}", rating=sched.GOOD,
                                 prior_state=sched.REVIEW, reviewed_at=when, state_before={}, state_after={}))
    db.session.commit()
    dash = progress.dashboard_context(learner, NOW)  # 17:30 on 2 March in Kolkata
    per_day = {c.day: c.count for c in dash.heatmap.days if c.count}
    assert per_day == {date(2026, 3, 1): 1, date(2026, 3, 2): 2}
    assert dash.reviews_today == 2 and dash.streak.current == 2
    assert dash.retention_total.reviews == 3  # one review-state card, three reviews: each counts (as in Anki)


def test_windows_are_bounded(learner):
    """Reviews older than the heatmap's year are not read; retention looks at 12 weeks only."""
    seed_learner(learner.id, NOW)
    card_id = db.session.scalar(select(Card.id).where(Card.user_id == learner.id).limit(1))
    for n, days in enumerate((400, 100)):
        db.session.add(ReviewLog(user_id=learner.id, card_id=card_id, client_id=f"old{n}", rating=sched.AGAIN,
                                 prior_state=sched.REVIEW, reviewed_at=NOW - timedelta(days=days),
                                 state_before={}, state_after={}))
    db.session.commit()
    dash = progress.dashboard_context(learner, NOW)
    assert dash.heatmap.total == EXPECTED["heatmap_total"] + 1  # 100 days ago counts; 400 days ago does not
    assert dash.retention_total.reviews == EXPECTED["retention_reviews"]  # 100 days ago is past 12 weeks


def test_another_learners_data_is_not_counted(learner, make_user):
    seed_learner(learner.id, NOW)
    other = make_user(email="eve@example.com")
    seed_learner(other, NOW - timedelta(days=1))
    dash = progress.dashboard_context(learner, NOW)
    assert dash.heatmap.total == EXPECTED["heatmap_total"] and dash.counts.mature == EXPECTED["mature"]


def test_the_page_runs_a_fixed_handful_of_queries(learner, app):
    """However long the history, the dashboard is a few aggregate or bounded queries (no query per card)."""
    seed_learner(learner.id, NOW)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        progress.dashboard_context(learner, NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 12, statements
    log_reads = [s for s in statements if "FROM review_logs" in s]
    assert len(log_reads) == 3 and all("reviewed_at >=" in s for s in log_reads)
    assert any("GROUP BY" in s for s in log_reads)


def test_focus_keeps_only_the_learners_studied_questions(learner, make_user):
    ids = seed_learner(learner.id, NOW)
    assert progress.focus_questions(learner, [ids["year"], ids["members"], ids["year"], ids["match"], 999999]) == [
        ids["year"], ids["members"]]  # "match" never studied; 999999 does not exist
    assert progress.focus_questions(learner, [ids["order"]]) == []  # suspended
    other = db.session.get(User, make_user(email="eve@example.com"))
    assert progress.focus_questions(other, [ids["year"]]) == []


def test_focus_session_shows_chosen_cards_due_or_not_until_each_is_answered(learner):
    ids = seed_learner(learner.id, NOW)
    chosen = [ids["capital"], ids["cloze"]]  # both due days from now
    later = NOW + timedelta(minutes=1)
    first = study_queue.next_focus_card(learner, chosen, NOW, later)
    assert first is not None and first.question.id in chosen
    answers.record_answer(learner, first.question.id, first.ordinal, response_for(first.question, first.ordinal), "f1",
                        now=later, rating=sched.GOOD)
    second = study_queue.next_focus_card(learner, chosen, NOW, later)
    assert second is not None and {second.question.id, first.question.id} == set(chosen)
    answers.record_answer(learner, second.question.id, second.ordinal, response_for(second.question, second.ordinal),
                        "f2", now=later, rating=sched.AGAIN)
    # Answered Again: it comes back after its relearning step (learn-ahead shows it now), then the session ends.
    again = study_queue.next_focus_card(learner, chosen, NOW, later)
    assert again is not None and again.question.id == second.question.id
    answers.record_answer(learner, again.question.id, again.ordinal, response_for(again.question, again.ordinal),
                        "f3", now=later + timedelta(minutes=10),
                        rating=sched.GOOD)
    assert study_queue.next_focus_card(learner, chosen, NOW, later + timedelta(minutes=11)) is None


def test_card_totals_follow_every_save_of_a_bank_even_at_the_same_clock_reading(app):
    """The totals are kept between pages (a scan of every question of the banks), so a save must show:
    here three saves share one ``now``, as two quick edits can share a clock reading."""
    from tests.factories import QUESTIONS

    with app.app_context():
        bank_id = make_bank("kept", QUESTIONS[:2]).bank_id
        assert progress.card_totals([bank_id])[0] == {bank_id: 2}
        make_bank("kept", QUESTIONS[:3])  # a question added
        assert progress.card_totals([bank_id])[0] == {bank_id: 3}
        tagged = [{**q, "tags": ["fresh"]} for q in QUESTIONS[:1]] + QUESTIONS[1:3]
        make_bank("kept", tagged)  # only a tag changed: the per-tag totals
        assert progress.card_totals([bank_id])[1].get("fresh") == 1
        make_bank("kept", QUESTIONS[1:3])  # one retired: 2 cards again, no tag
        assert progress.card_totals([bank_id]) == ({bank_id: 2}, {})
