"""The answer flow through the real routes: what a button shows is what it applies, and every answer
counts once -- from the right card, the right page, the right tab, with an answer in it."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog, User
from quizapp.services import cards
from tests.answers import HIDDEN, fill_card_form
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.factories import NOW, make_bank

FLASHCARD = [{"id": "card", "type": "flashcard", "front": "Sino-Soviet split", "back": "The break of the 1960s"}]
LABEL = re.compile(r'name="rating" value="(\d)".*?<span class="interval">([^<]+)</span>', re.DOTALL)


_APP = []


@pytest.fixture(autouse=True)
def _reads(app):
    _APP[:] = [app]


@contextmanager
def reading():
    """A short app context for reading the database between requests (never held across a request:
    the request would share its ``g`` and logged-in user)."""
    with _APP[0].app_context():
        yield


def page_of(client, path="/study") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def logs() -> list[ReviewLog]:
    with reading():
        return db.session.scalars(select(ReviewLog).order_by(ReviewLog.id)).all()


def label_seconds(label: str) -> float:
    unit = {"m": 60, "h": 3600, "d": 86400, "mo": 30 * 86400, "y": 365 * 86400}
    number, suffix = re.fullmatch(r"([\d.]+)(mo|m|h|d|y)", label).groups()
    return float(number) * unit[suffix]


@pytest.fixture
def flashcard_student(app, client, make_user):
    with app.app_context():
        make_bank(questions=FLASHCARD)
    make_user(timezone="America/New_York")
    AuthActions(client).login()
    return client


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, set by the test (the routes read quizapp.study.routes.utcnow)."""
    now = {"t": NOW}
    monkeypatch.setattr("quizapp.study.routes.utcnow", lambda: now["t"])
    return now


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(sched.RATINGS), st.integers(0, 60 * 24 * 60),
                                st.integers(0, 90)), min_size=1, max_size=8))
def test_the_interval_on_each_button_is_the_interval_applied(flashcard_student, clock, steps):
    """Through GET /study and POST /study/answer: each rating's label equals the interval the card gets
    when that button is pressed moments later, and the labels are ordered Again <= Hard <= Good <= Easy."""
    client = flashcard_student
    with reading():
        db.session.execute(delete(ReviewLog))
        db.session.execute(delete(Card))
        db.session.commit()
    now = NOW
    for rating, late_minutes, think_seconds in steps:
        clock["t"] = now
        page = page_of(client, "/study?reveal=1")
        labels = dict(LABEL.findall(page))
        assert list(labels) == ["1", "2", "3", "4"], page
        seconds = [label_seconds(labels[str(r)]) for r in sched.RATINGS]
        assert seconds == sorted(seconds), labels
        form = fill_card_form(page)
        form["rating"] = str(rating)
        clock["t"] = pressed = now + timedelta(seconds=think_seconds)
        answered_before = len(logs())
        assert client.post("/study/answer", data=form).status_code == 302
        with reading():
            user = db.session.scalar(select(User))
            new_day = cards.day_bounds(user, now)[0] != cards.day_bounds(user, pressed)[0]
            if new_day:  # the buttons' promise was for yesterday: nothing recorded, the card comes again
                assert len(logs()) == answered_before
                now = pressed
                continue
            card = db.session.scalar(select(Card))
            log = logs()[-1]
            before, after = sched.CardState.from_json(log.state_before), cards.card_state(card)
            applied = sched.interval_of(before, after, pressed, cards.scheduler_for(user))
        assert sched.interval_label(applied) == labels[str(rating)], (labels, rating, after)
        now = max(card.due, pressed) + timedelta(minutes=late_minutes)


def test_a_rating_from_a_page_of_the_previous_study_day_is_not_applied(flashcard_student, clock):
    """The buttons were labelled on the night's page; pressed after the day's start (4:00), their
    intervals would be counted from the new day: the card is shown again instead, nothing recorded."""
    client = flashcard_student
    clock["t"] = datetime(2026, 3, 4, 8, 59, 30, tzinfo=UTC)  # 30 s before 4:00 in New York: a new study day
    form = fill_card_form(page_of(client, "/study?reveal=1"))
    form["rating"] = str(sched.GOOD)
    clock["t"] = datetime(2026, 3, 4, 9, 0, 30, tzinfo=UTC)
    response = client.post("/study/answer", data=form, follow_redirects=True)
    assert "A new study day began" in response.get_data(as_text=True)
    with reading():
        assert logs() == []
    form = fill_card_form(page_of(client, "/study?reveal=1"))  # the same card, today's buttons
    form["rating"] = str(sched.GOOD)
    client.post("/study/answer", data=form)
    with reading():
        assert len(logs()) == 1


def test_the_buttons_tell_the_truth_on_the_real_clock(flashcard_student, app):
    """No clock set by the test: a card reviewed days ago is shown, then rated a moment later."""
    client = flashcard_student
    for rating in (sched.GOOD, sched.GOOD):  # out of learning into review, on the real clock
        form = fill_card_form(page_of(client, "/study?reveal=1"))
        form["rating"] = str(rating)
        client.post("/study/answer", data=form)
    with reading():
        card = db.session.scalar(select(Card))
        # Pretend the last review was five days ago (as if the learner came back): the card is due now.
        card.last_review -= timedelta(days=5)
        card.due = card.last_review + timedelta(days=2)
        db.session.commit()
    page = page_of(client, "/study?reveal=1")
    labels = dict(LABEL.findall(page))
    form = fill_card_form(page)
    form["rating"] = str(sched.EASY)
    client.post("/study/answer", data=form)
    log = logs()[-1]
    with reading():
        card = db.session.get(Card, log.card_id)
        user = db.session.scalar(select(User))
        applied = sched.interval_of(sched.CardState.from_json(log.state_before), cards.card_state(card),
                                    log.reviewed_at, cards.scheduler_for(user))
    assert sched.interval_label(applied) == labels["4"]


def answer_of(question: Question, form: dict, right: bool = True) -> dict:
    """``form`` with a right (or wrong) answer to ``question`` in the form's own field names."""
    data = question.data
    out = {k: v for k, v in form.items() if k in HIDDEN}
    kind = question.type
    if kind == "multiple_choice":
        out["answer"] = data["answer"] if right else next(c for c in data["choices"] if c != data["answer"])
    elif kind == "short_answer":
        out["answer"] = data["answers"][0] if right else "Zhou Enlai"
    else:
        return form
    return out


def current_question(page: str) -> Question:
    qid = int(re.search(r'name="question_id" value="(\d+)"', page).group(1))
    with reading():
        question = db.session.get(Question, qid)
        _ = question.data, question.type
        return question


def test_an_answer_from_a_second_tab_is_refused_once_the_card_was_answered(student):
    first_tab = page_of(student)
    second_tab = page_of(student)  # the same card, open twice
    question = current_question(first_tab)
    assert student.post("/study/answer", data=answer_of(question, fill_card_form(first_tab))).status_code == 302
    stale = answer_of(question, fill_card_form(second_tab), right=False)
    response = student.post("/study/answer", data=stale)
    assert response.status_code == 302 and response.location.endswith("/study")
    assert "already answered" in page_of(student)
    assert len(logs()) == 1 and logs()[0].client_id == fill_card_form(first_tab)["client_id"]
    # The same answer sent again (a double click) is still applied once and lands on its feedback.
    again = student.post("/study/answer", data=answer_of(question, fill_card_form(first_tab)))
    assert again.status_code == 302 and "/study/answered/" in again.location and len(logs()) == 1


def test_undo_acts_only_on_the_answer_shown(student):
    pages = []
    for _ in range(2):
        page = page_of(student)
        response = student.post("/study/answer", data=answer_of(current_question(page), fill_card_form(page)))
        pages.append(response.location)
    older, newer = (page_of(student, p) for p in pages)
    assert "Undo this answer" not in older and "Undo this answer" in newer
    old_id = int(pages[0].rsplit("/", 1)[1])
    token = fill_card_form(older)["csrf_token"]
    response = student.post("/study/undo", data={"csrf_token": token, "log_id": old_id})
    assert response.status_code == 302
    assert [log.id for log in logs()] == [old_id, int(pages[1].rsplit("/", 1)[1])]  # nothing taken back
    assert "Only your latest answer can be taken back" in page_of(student)
    student.post("/study/undo", data={"csrf_token": token, "log_id": pages[1].rsplit("/", 1)[1]})
    assert [log.id for log in logs()] == [old_id]


def test_an_empty_answer_records_nothing_and_asks_for_one(student):
    page = page_of(student)
    form = {k: v for k, v in fill_card_form(page).items() if k != "answer"}
    response = student.post("/study/answer", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Type or choose an answer first" in body
    assert 'name="question_id"' in body and logs() == []  # the same card, asked again


@pytest.mark.parametrize(("field", "value", "message"), [
    ("answer", "Atlantis", "not one of the choices"),
    ("answer", "x" * 1001, "at most 1,000"),
])
def test_an_answer_the_card_does_not_offer_is_refused(student, field, value, message):
    page = page_of(student)
    form = {**fill_card_form(page), field: value}
    response = student.post("/study/answer", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert logs() == []


def test_an_answer_sent_after_the_session_ended_is_kept_and_shown_back(app, student):
    page = page_of(student)
    question = current_question(page)
    form = answer_of(question, fill_card_form(page))
    AuthActions(student).logout()
    response = student.post("/study/answer", data=form)  # its CSRF token died with the session
    assert response.status_code == 302 and "/login" in response.location and "pending" in response.location
    assert logs() == []
    login_page = response.location  # /login?next=/study/pending, as the browser follows it
    token = csrf_from(page_of(student, login_page))
    login = student.post(login_page, data={"csrf_token": token, "email": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 302 and login.location.endswith("/study/pending")
    shown = page_of(student, "/study/pending")
    assert "Record this answer" in shown and form["answer"] in shown
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown).group(1)
    recorded = student.post("/study/pending", data={"csrf_token": token, "action": "record"})
    assert recorded.status_code == 302 and "/study/answered/" in recorded.location
    assert [log.client_id for log in logs()] == [form["client_id"]]
    assert "✓ Right" in page_of(student, recorded.location)


def test_a_kept_answer_is_shown_only_to_its_own_learner(app, student, make_user):
    page = page_of(student)
    form = answer_of(current_question(page), fill_card_form(page))
    AuthActions(student).logout()
    student.post("/study/answer", data=form)  # kept in this browser's session
    make_user("other@example.com")
    other = AuthActions(student).login("other@example.com")
    assert other.status_code == 302 and other.location.endswith("/study/pending")
    assert student.get("/study/pending").location.endswith("/study")  # not theirs: dropped, never shown
    assert "Record this answer" not in page_of(student, "/study") and logs() == []


def test_a_near_miss_is_wrong_and_can_be_counted_as_right_once(app, client, make_user):
    with app.app_context():
        make_bank(questions=[{"id": "who", "type": "short_answer", "prompt": "Who led the KMT?",
                              "answers": ["Chiang Kai-shek"]}])
    make_user()
    AuthActions(client).login()
    page = page_of(client)
    form = {**fill_card_form(page), "answer": "Chang Kai-shek"}
    feedback = page_of(client, client.post("/study/answer", data=form).location)
    assert "✗ Not quite" in feedback and "count it as right" in feedback and "<ins>i</ins>" in feedback
    log = logs()[0]
    assert (log.rating, log.score) == (sched.AGAIN, 0.0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', feedback).group(1)
    assert client.post("/study/count-as-right", data={"csrf_token": token, "log_id": log.id}).status_code == 302
    log = logs()[0]
    assert (log.rating, log.score, log.overridden) == (sched.GOOD, 0.0, True)  # rated Good, graded as typed
    with reading():
        card = db.session.get(Card, log.card_id)
        user = db.session.scalar(select(User))
        assert cards.card_state(card) == sched.replay([(sched.GOOD, log.reviewed_at)], cards.scheduler_for(user),
                                                      cards.card_seed(card))
    # A wrong answer that is no slip cannot be counted as right.
    page = page_of(client)
    if 'name="question_id"' in page:
        other = client.post("/study/answer", data={**fill_card_form(page), "answer": "Mao Zedong"})
        wrong = logs()[-1]
        assert "count it as right" not in page_of(client, other.location)
        assert client.post("/study/count-as-right", data={"csrf_token": token, "log_id": wrong.id}).status_code == 409


def test_a_number_that_is_not_one_is_asked_again_with_what_was_typed(app, client, make_user):
    with app.app_context():
        make_bank(questions=[{"id": "year", "type": "numeric", "prompt": "How many?", "answer": 30,
                              "unit": "million people"}])
    make_user()
    AuthActions(client).login()
    page = page_of(client)
    response = client.post("/study/answer", data={**fill_card_form(page), "answer": "about thirty"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a number" in body and 'value="about thirty"' in body
    assert logs() == []
    feedback = page_of(client, client.post("/study/answer", data={**fill_card_form(page),
                                                                   "answer": "30 million"}).location)
    assert "✓ Right" in feedback and "30 million" in feedback and "read as 30 million people" in feedback


def test_ordering_without_script_refuses_two_items_in_one_place(app, client, make_user):
    with app.app_context():
        make_bank(questions=[{"id": "order", "type": "ordering", "prompt": "Put in order",
                              "items": ["First", "Second", "Third"]}])
    make_user()
    AuthActions(client).login()
    form = fill_card_form(page_of(client))
    form["position-0"] = form["position-1"] = "1"
    response = client.post("/study/answer", data=form)
    assert response.status_code == 400 and "its own position" in response.get_data(as_text=True)
    assert logs() == []


def test_the_help_page_says_how_answers_are_graded_and_rated(client):
    page = page_of(client, "/help")
    for words in ("Typos are not marked right", "-7</em> is not <em>7", "less than 80&nbsp;% right",
                  "Being slow never lowers a right answer", "median", "study days", "exactly what pressing"):
        assert words in page, words


def test_the_feedback_of_a_matching_shows_each_pair_marked(app, client, make_user):
    with app.app_context():
        make_bank(questions=[{"id": "match", "type": "matching", "prompt": "Match",
                              "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]}])
    make_user()
    AuthActions(client).login()
    form = {**fill_card_form(page_of(client)), "match-0": "USSR", "match-1": "USSR"}
    feedback = page_of(client, client.post("/study/answer", data=form).location)
    table = feedback.split('class="table compact review-table"')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="(row-ok|row-bad)">.*?<th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>',
                      table, re.S)
    assert rows == [("row-bad", "Mao", "USSR", "PRC"), ("row-ok", "Stalin", "USSR", "USSR")]
