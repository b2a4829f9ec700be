"""The card browser's and custom study's queries against a real database (seeded rows and real answers)."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import event, func, insert, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, User
from quizapp.services import answers, browse, custom_study, study_queue
from quizapp.services.errors import NotFound
from tests.answers import response_for
from tests.factories import NOW, make_bank
from tests.progress_seed import seed_learner


def prompts(page: browse.Page) -> list[str]:
    return [r.prompt for r in page.rows]


def test_every_card_is_listed_new_ones_and_each_cloze_deletion_included(learner):
    seed_learner(learner.id, NOW)
    page = browse.browse(learner, browse.Filter(), 1, NOW)
    # 9 questions make 10 cards: 7 with rows (one per card answered or suspended), 3 never studied.
    assert page.total == 10 and len(page.rows) == 10
    cloze = [r for r in page.rows if r.type_label == "Fill in the blanks"]
    assert [(r.ordinal, r.stage) for r in cloze] == [(1, "Review"), (2, "New")]
    assert [r.prompt for r in cloze] == ["[…] met Stalin in Moscow.", "Mao met […] in Moscow."]


@pytest.mark.parametrize(("filt", "expected"), [
    (browse.Filter(state="new"), {"Mao met […] in Moscow.", "Match", "Sino-Soviet split"}),
    (browse.Filter(state="suspended"), {"Put in order"}),
    (browse.Filter(state="leech"), {"When was the PRC proclaimed?"}),
    (browse.Filter(state="learning"), {"Who led the KMT?"}),
    (browse.Filter(tag="treaty"), {"Where did Mao travel in December 1949?", "The treaty was signed in 1950."}),
    (browse.Filter(text="KMT"), {"Who led the KMT?"}),
    (browse.Filter(text="mao moscow"), {"Where did Mao travel in December 1949?", "[…] met Stalin in Moscow.",
                                        "Mao met […] in Moscow."}),
    (browse.Filter(text="100%"), set()),  # a LIKE wildcard is searched for as a character
    (browse.Filter(text="warsaw"), {"Where did Mao travel in December 1949?"}),  # its choices are searched too
    (browse.Filter(min_lapses=1), {"Which were communist states in 1950?", "When was the PRC proclaimed?"}),
    # The learner's failures: Again on "capital" today (after a Good) and on "members" yesterday.
    (browse.Filter(last="wrong"), {"Where did Mao travel in December 1949?", "Which were communist states in 1950?"}),
    (browse.Filter(last="never"), {"Mao met […] in Moscow.", "Match", "Sino-Soviet split", "Put in order"}),
    (browse.Filter(due="overdue"), {"Which were communist states in 1950?", "When was the PRC proclaimed?"}),
    (browse.Filter(due="today"), {"Which were communist states in 1950?", "When was the PRC proclaimed?",
                                  "Who led the KMT?"}),
    (browse.Filter(due="week"), {"Which were communist states in 1950?", "When was the PRC proclaimed?",
                                 "Who led the KMT?", "[…] met Stalin in Moscow.", "Put in order"}),
])
def test_filters(learner, filt, expected):
    seed_learner(learner.id, NOW)
    page = browse.browse(learner, filt, 1, NOW)
    assert set(prompts(page)) == expected and page.total == len(expected)


def test_rows_show_the_state_due_lapses_and_last_answer(learner):
    seed_learner(learner.id, NOW)
    rows = {r.prompt: r for r in browse.browse(learner, browse.Filter(sort="due"), 1, NOW).rows}
    leech = rows["When was the PRC proclaimed?"]
    assert (leech.stage, leech.leech, leech.lapses, leech.due_text, leech.last_right) == ("Review", True, 8,
                                                                                           "7 days ago", True)
    capital = rows["Where did Mao travel in December 1949?"]
    assert (capital.last_right, capital.due_text, capital.tags) == (False, "in 20 days", ("1949", "treaty"))
    assert rows["Put in order"].suspended and rows["Match"].stage == "New" and rows["Match"].last_right is None
    # Sorted by due: overdue first, the new cards (no due date) last.
    assert prompts(browse.browse(learner, browse.Filter(sort="due"), 1, NOW))[0] == "When was the PRC proclaimed?"
    assert prompts(browse.browse(learner, browse.Filter(sort="due"), 1, NOW))[-1] == "Sino-Soviet split"


def test_too_many_several_card_slots_are_left_out_and_said_so(learner, monkeypatch):
    seed_learner(learner.id, NOW)
    monkeypatch.setattr(browse, "MAX_MULTI_SLOTS", 1)
    page = browse.browse(learner, browse.Filter(), 1, NOW)
    # Three slots of several-card types (two cloze cards, a flashcard that could be reversed): one kept.
    assert page.capped and page.total == 8 and "Mao met […] in Moscow." not in prompts(page)


def test_a_learner_sees_only_their_own_cards_and_states(learner, make_user):
    seed_learner(learner.id, NOW)
    other = db.session.get(User, make_user(email="eve@example.com"))
    page = browse.browse(other, browse.Filter(), 1, NOW)
    # The same bank, none of the first learner's progress: every card new, nothing suspended or lapsed.
    assert page.total == 10 and {r.stage for r in page.rows} == {"New"}
    assert not any(r.suspended or r.leech or r.lapses or r.last_right is not None for r in page.rows)
    assert browse.browse(other, browse.Filter(state="suspended"), 1, NOW).total == 0


def test_a_private_bank_is_neither_listed_nor_acted_on_by_others(learner, make_user):
    teacher = db.session.get(User, make_user(email="t@example.com", role="teacher"))
    make_bank("private", [{"id": "p", "type": "true_false", "prompt": "Secret prompt", "answer": True}],
              title="Private bank", builtin=False, owner=teacher)
    question = db.session.scalar(select(Question).where(Question.key == "p"))
    assert browse.browse(learner, browse.Filter(), 1, NOW).total == 0
    assert browse.browse(learner, browse.Filter(bank_id=question.bank_id), 1, NOW).total == 0
    with pytest.raises(NotFound):
        browse.apply(learner, "suspend", [(question.id, 0)], NOW)
    assert db.session.scalar(select(func.count(Card.id))) == 0
    assert browse.browse(teacher, browse.Filter(), 1, NOW).total == 1


def test_actions_are_all_or_nothing_and_leave_the_schedule_alone(learner, make_user):
    ids = seed_learner(learner.id, NOW)
    teacher = db.session.get(User, make_user(email="t@example.com", role="teacher"))
    make_bank("private", [{"id": "p", "type": "true_false", "prompt": "Secret", "answer": True}], builtin=False,
              owner=teacher)
    foreign = db.session.scalar(select(Question.id).where(Question.key == "p"))
    before = {c.question_id: (c.due, c.stability, c.reps, c.lapses) for c in db.session.scalars(select(Card))}
    with pytest.raises(NotFound):
        browse.apply(learner, "suspend", [(ids["capital"], 0), (foreign, 0)], NOW)
    with pytest.raises(NotFound):  # the cloze question makes cards 1 and 2, not 5
        browse.apply(learner, "suspend", [(ids["cloze"], 5)], NOW)
    assert browse.browse(learner, browse.Filter(state="suspended"), 1, NOW).total == 1
    assert browse.apply(learner, "suspend", [(ids["capital"], 0), (ids["match"], 0)], NOW) == 2
    assert browse.apply(learner, "bury", [(ids["tf"], 0)], NOW) == 1
    assert set(prompts(browse.browse(learner, browse.Filter(state="suspended"), 1, NOW))) == {
        "Where did Mao travel in December 1949?", "Match", "Put in order"}
    assert prompts(browse.browse(learner, browse.Filter(state="buried"), 1, NOW)) == ["The treaty was signed in 1950."]
    # Buried until the next study day (4 a.m.): gone from the buried filter then.
    assert browse.browse(learner, browse.Filter(state="buried"), 1, NOW + timedelta(days=1)).total == 0
    assert browse.apply(learner, "unbury", [(ids["tf"], 0)], NOW) == 1
    assert browse.apply(learner, "unsuspend", [(ids["capital"], 0), (ids["order"], 0)], NOW) == 2
    assert browse.apply(learner, "unsuspend", [(ids["card"], 0)], NOW) == 0  # never studied: no row made
    after = {c.question_id: (c.due, c.stability, c.reps, c.lapses) for c in db.session.scalars(select(Card))
             if c.question_id in before}
    assert after == before


def test_parse_keys_refuses_what_is_not_a_card():
    assert browse.parse_keys(["12:0", "12:0", "7:3"]) == [(12, 0), (7, 3)]
    for bad in (["12"], ["a:0"], ["²:0"], ["1" * 12 + ":0"], [f"{n}:0" for n in range(51)]):
        with pytest.raises(browse.BrowseError):
            browse.parse_keys(bad)


def _big_learner(user_id: int, n: int) -> None:
    """A bank of ``n`` true/false questions, every one studied by the learner (rows written directly)."""
    bank = Bank(slug=f"big-{n}", title=f"Big {n}", builtin=True)
    db.session.add(bank)
    db.session.flush()
    db.session.execute(insert(Question), [
        {"bank_id": bank.id, "key": f"q{i}", "position": i, "type": "true_false",
         "data": {"prompt": f"Statement {i}", "answer": True, "tags": ["big", f"t{i % 7}"]},
         "answer_hash": "x", "content_hash": f"h{i}"} for i in range(n)])
    qids = db.session.scalars(select(Question.id).where(Question.bank_id == bank.id).order_by(Question.id)).all()
    db.session.execute(insert(Card), [
        {"user_id": user_id, "question_id": q, "ordinal": 0, "state": sched.REVIEW, "stability": 5.0,
         "difficulty": 5.0, "due": NOW + timedelta(days=i % 40 - 5), "last_review": NOW - timedelta(days=5),
         "reps": 3, "lapses": i % 4, "suspended": i % 50 == 0} for i, q in enumerate(qids)])
    db.session.commit()


def _statements(fn) -> tuple[list[str], object]:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        out = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return statements, out


@pytest.mark.parametrize("filt", [browse.Filter(), browse.Filter(sort="due", min_lapses=2),
                                  browse.Filter(tag="t3", last="never")])
def test_a_page_of_5000_cards_is_a_fixed_handful_of_bounded_queries(learner, make_user, filt):
    small = db.session.get(User, make_user(email="small@example.com"))
    _big_learner(small.id, 60)
    few, _ = _statements(lambda: browse.browse(small, filt, 1, NOW))
    _big_learner(learner.id, 5000)
    started = time.perf_counter()
    many, page = _statements(lambda: browse.browse(learner, filt, 3, NOW))
    elapsed = time.perf_counter() - started
    # The same statements for 60 cards as for 5,000 (none per card), and each reads a bounded set:
    # the learner's banks, their several-card questions (none here), a count, the page (LIMIT 50), the
    # page's latest answers (by card id), its banks' titles (and the learner's row, expired above).
    assert len(many) == len(few) <= 7, many
    rows = [s for s in many if "FROM (SELECT questions.id" in s and "count(" not in s]
    assert len(rows) == 1 and "LIMIT" in rows[0] and "OFFSET" in rows[0]
    assert [s for s in many if "FROM review_logs" in s and "GROUP BY review_logs.card_id" in s]
    assert len(page.rows) == browse.PER_PAGE and page.page == 3 and page.total >= 100
    assert elapsed < 5, elapsed  # measured ~0.05 s on SQLite; a generous bound for a shared machine


def test_page_numbers_past_the_end_show_the_last_page(learner):
    _big_learner(learner.id, 120)
    last = browse.browse(learner, browse.Filter(), 99, NOW)
    assert (last.page, last.pages, len(last.rows), last.first, last.last) == (3, 3, 20, 101, 120)
    assert browse.browse(learner, browse.Filter(), -4, NOW).page == 1


def test_focus_cards_take_studyable_cards_in_the_browsers_order(learner):
    ids = seed_learner(learner.id, NOW)
    chosen, total = browse.focus_cards(learner, browse.Filter(), NOW, 50)
    assert (ids["order"], 0) not in chosen and total == 9  # suspended: not studyable
    assert chosen == [(ids[k], o) for k, o in (("capital", 0), ("members", 0), ("tf", 0), ("who", 0), ("year", 0),
                                                ("cloze", 1), ("cloze", 2), ("match", 0), ("card", 0))]
    assert browse.focus_cards(learner, browse.Filter(), NOW, 2) == ([(ids["capital"], 0), (ids["members"], 0)], 9)
    assert browse.focus_cards(learner, browse.Filter(state="new"), NOW, 50, one_per_question=True)[0] == [
        (ids["cloze"], 2), (ids["match"], 0), (ids["card"], 0)]
    assert browse.focus_cards(learner, browse.Filter(state="suspended"), NOW, 50) == ([], 0)


# -- custom study ----------------------------------------------------------------------------------------
def questions_of(session: custom_study.Session) -> list[int]:
    return [q for q, _ in session.cards]


def test_study_ahead_takes_cards_due_within_n_days_not_new_or_suspended(learner):
    ids = seed_learner(learner.id, NOW)
    two = custom_study.ahead(learner, 2, NOW)
    # Overdue first (year a week ago, members yesterday), then today's learning card, then in 2 days:
    # the cloze's first card only (its second is new).
    assert two.cards == [(ids["year"], 0), (ids["members"], 0), (ids["who"], 0), (ids["cloze"], 1)]
    assert set(questions_of(custom_study.ahead(learner, 30, NOW))) == {ids[k] for k in (
        "year", "members", "who", "cloze", "capital", "tf")}  # "order" is suspended
    with pytest.raises(custom_study.CustomStudyError):
        custom_study.ahead(learner, 0, NOW)


def test_forgotten_cards_are_those_answered_again_in_the_last_days(learner):
    ids = seed_learner(learner.id, NOW)
    assert questions_of(custom_study.forgotten(learner, 1, NOW)) == [ids["capital"]]  # today's mistakes
    assert set(questions_of(custom_study.forgotten(learner, 2, NOW))) == {ids["capital"], ids["members"]}
    question = db.session.get(Question, ids["tf"])  # a wrong answer now, through the study service
    answers.record_answer(learner, question.id, 0, response_for(question, right=False), "wrong-1", now=NOW)
    assert set(questions_of(custom_study.forgotten(learner, 1, NOW))) == {ids["capital"], ids["tf"]}


def test_by_tag_takes_any_of_the_tags_due_first_then_new(learner):
    ids = seed_learner(learner.id, NOW)
    assert questions_of(custom_study.by_tag(learner, ["treaty"], NOW)) == [ids["capital"], ids["tf"]]
    assert set(questions_of(custom_study.by_tag(learner, ["alliances", "1949"], NOW))) == {
        ids["capital"], ids["members"], ids["year"]}
    assert custom_study.tag_counts(learner) == {"1949": 2, "alliances": 1, "treaty": 2}
    with pytest.raises(custom_study.CustomStudyError):
        custom_study.by_tag(learner, [], NOW)


def test_more_new_cards_raise_todays_limit_of_the_daily_queue_and_tomorrow_is_as_usual(learner):
    ids = seed_learner(learner.id, NOW)
    learner.new_per_day = 1
    db.session.commit()
    banks = [db.session.get(Question, ids["capital"]).bank_id]
    assert study_queue.counts(learner, banks, NOW).new == 1
    assert custom_study.more_new(learner, 1, NOW) == 1
    assert study_queue.counts(learner, banks, NOW).new == 2  # the daily queue itself shows one more
    shown = []
    for n in range(20):  # the daily queue (due cards first), answered until it is done
        pick = study_queue.next_card(learner, banks, NOW)
        if pick is None:
            break
        if pick.card is None or pick.card.state == sched.NEW:
            shown.append((pick.question.id, pick.ordinal))
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                              f"n{n}", now=NOW, rating=sched.EASY)
    assert shown == [(ids["cloze"], 2), (ids["match"], 0)]  # its new cards, in bank order: one more than usual
    assert study_queue.counts(learner, banks, NOW).new == 0  # two new today: the limit of 1, and 1 more
    assert custom_study.more_new(learner, 2, NOW) == 3  # asked again the same day: the raises add up
    assert study_queue.counts(learner, banks, NOW).new == 1  # the one new card left
    tomorrow = NOW + timedelta(days=1)
    assert learner.new_per_day == 1 and study_queue.counts(learner, banks, tomorrow).new == 1
    assert custom_study.more_new(learner, 1, tomorrow) == 1  # a new day starts from nothing
    with pytest.raises(custom_study.CustomStudyError):
        custom_study.more_new(learner, 51, NOW)
    with pytest.raises(custom_study.CustomStudyError):
        custom_study.more_new(learner, 0, NOW)


def test_choosing_a_session_writes_nothing(learner):
    seed_learner(learner.id, NOW)

    def cards():
        return sorted(tuple(getattr(c, k) for k in ("id", "state", "due", "stability", "reps", "suspended",
                                                    "buried_until")) for c in db.session.scalars(select(Card)))
    before = cards()
    custom_study.ahead(learner, 7, NOW)
    custom_study.forgotten(learner, 3, NOW)
    custom_study.by_tag(learner, ["treaty"], NOW)
    db.session.expire_all()
    assert cards() == before


def test_a_session_of_chosen_cards_goes_learning_due_then_unanswered_then_new_then_learn_ahead(learner):
    ids = seed_learner(learner.id, NOW)
    keys = [(ids["capital"], 0), (ids["match"], 0), (ids["who"], 0)]
    order = []
    now = NOW
    for n in range(6):
        pick = custom_study.next_chosen_card(learner, keys, NOW, now)
        if pick is None:
            break
        order.append((pick.question.key, pick.card.state if pick.card else None))
        # The failing learner: every answer wrong (Again) the first time a card is seen.
        right = any(k == pick.question.key for k, _ in order[:-1])
        answers.record_answer(learner, pick.question.id, pick.ordinal, response_for(pick.question, right=right),
                              f"s{n}", now=now, rating=sched.GOOD if right else sched.AGAIN)
        now += timedelta(seconds=10)
    # "who" is learning and due now; then "capital" (review, not due: not answered since the start);
    # then the new "match"; then the forgotten ones again (learn-ahead: their steps are minutes long).
    assert [k for k, _ in order[:3]] == ["who", "capital", "match"]
    assert {k for k, _ in order[3:]} <= {"who", "capital", "match"} and len(order) == 6
    assert custom_study.next_chosen_card(learner, [(ids["order"], 0)], NOW, NOW) is None  # suspended
    assert custom_study.next_chosen_card(learner, [(ids["cloze"], 7)], NOW, NOW) is None  # no such card


def test_a_new_cloze_card_waits_for_another_day_when_its_sibling_was_answered_today(learner):
    ids = seed_learner(learner.id, NOW)
    question = db.session.get(Question, ids["cloze"])
    keys = [(ids["cloze"], 2)]
    assert custom_study.next_chosen_card(learner, keys, NOW, NOW).ordinal == 2
    answers.record_answer(learner, question.id, 1, response_for(question, 1), "c1", now=NOW, rating=sched.GOOD)
    assert custom_study.next_chosen_card(learner, keys, NOW, NOW) is None
    assert custom_study.next_chosen_card(learner, keys, NOW, NOW + timedelta(days=1)).ordinal == 2
