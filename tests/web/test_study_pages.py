"""The study loop without JavaScript: forms post and redirect."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from quizapp.domain.questions import get_type
from quizapp.extensions import db
from quizapp.models import Question, QuizItem, ReviewLog
from tests.conftest import AuthActions, csrf_from
from tests.factories import QUESTIONS, make_bank


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_answer_a_card_and_see_feedback_without_script(student):
    page = student.get("/study").get_data(as_text=True)
    assert "Where did Mao travel in December 1949?" in page and "9</b> new" in page
    form = {k: hidden(page, k) for k in ("csrf_token", "question_id", "ordinal", "client_id", "shown_at")}
    response = student.post("/study/answer", data={**form, "answer": "Moscow"})
    assert response.status_code == 302 and "/study/answered/" in response.headers["Location"]
    feedback = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "✓ Right" in feedback and "Mao&#39;s first trip abroad." in feedback
    assert "<blockquote>Mao went to Moscow in 1949.</blockquote>" in feedback
    # Quick, but a multiple choice is often guessed: the rule stops at Good, never Easy for speed.
    assert "8</b> new" in feedback and "Rated <strong>Good</strong>" in feedback


def test_double_submit_is_applied_once(student, app):
    page = student.get("/study").get_data(as_text=True)
    form = {k: hidden(page, k) for k in ("csrf_token", "question_id", "ordinal", "client_id", "shown_at")}
    first = student.post("/study/answer", data={**form, "answer": "Moscow"})
    second = student.post("/study/answer", data={**form, "answer": "Moscow"})
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 1


def test_flashcard_reveal_and_rate_without_script(student, app):
    with app.app_context():
        card = db.session.scalar(select(Question).where(Question.key == "card"))
        others = [(q.id, o) for q in db.session.scalars(select(Question).where(Question.key != "card"))
                  for o in get_type(q.type).cards(q.data)]
    token = csrf_from(student.get("/study").get_data(as_text=True))
    for qid, ordinal in others:  # bury the rest so the flashcard comes up
        assert student.post(f"/study/card/{qid}/{ordinal}/bury", data={"csrf_token": token}).status_code == 302
    page = student.get("/study?reveal=1").get_data(as_text=True)
    assert "The break of the 1960s" in page and "How well did you remember?" in page
    form = {k: hidden(page, k) for k in ("csrf_token", "question_id", "ordinal", "client_id", "shown_at")}
    assert form["question_id"] == str(card.id)
    response = student.post("/study/answer", data={**form, "rating": "4"})
    assert response.status_code == 302 and response.headers["Location"] == "/study"


def test_flashcard_without_rating_is_a_clear_400(student, app):
    with app.app_context():
        card = db.session.scalar(select(Question).where(Question.key == "card"))
    token = csrf_from(student.get("/study").get_data(as_text=True))
    response = student.post("/study/answer", data={"csrf_token": token, "question_id": card.id, "ordinal": 0,
                                                   "client_id": "x"})
    assert response.status_code == 400 and "Rate how well you remembered" in response.get_data(as_text=True)


def test_bad_answer_requests_are_4xx(student):
    token = csrf_from(student.get("/study").get_data(as_text=True))
    assert student.post("/study/answer", data={"csrf_token": token}).status_code == 400
    assert student.post("/study/answer", data={"csrf_token": token, "question_id": "999999",
                                               "client_id": "x"}).status_code == 404
    assert student.post("/study/answer", data={"csrf_token": token, "question_id": "1", "ordinal": "7",
                                               "client_id": "x"}).status_code == 404  # no such card
    assert student.post("/study/rate", data={"csrf_token": token, "log_id": "1", "rating": "9"}).status_code in (
        400, 404)


def test_another_students_feedback_is_not_visible(student, app, make_user):
    page = student.get("/study").get_data(as_text=True)
    form = {k: hidden(page, k) for k in ("csrf_token", "question_id", "ordinal", "client_id", "shown_at")}
    location = student.post("/study/answer", data={**form, "answer": "Moscow"}).headers["Location"]
    make_user(email="eve@example.com")
    eve = app.test_client()
    AuthActions(eve).login(email="eve@example.com")
    assert eve.get(location).status_code == 404


def right_answer(item: QuizItem) -> dict:
    """The form fields a browser without script sends to answer ``item`` rightly."""
    data, kind = item.question.data, get_type(item.question.type)
    return {
        "multiple_choice": lambda: {"answer": data["answer"]},
        "multiple_select": lambda: {"answer": data["answers"]},
        "true_false": lambda: {"answer": "true" if data["answer"] else "false"},
        "ordering": lambda: {**{f"item-{k}": v for k, v in enumerate(data["items"])},
                             **{f"position-{k}": str(k + 1) for k in range(len(data["items"]))}},
        "matching": lambda: {f"match-{k}": pair[1] for k, pair in enumerate(data["pairs"])},
        "short_answer": lambda: {"answer": data["answers"][0]},
    }.get(item.question.type, lambda: {"answer": kind.expected(data, item.ordinal)})()


def start_quiz(client, size: int, **fields) -> str:
    page = client.get("/quiz").get_data(as_text=True)
    response = client.post("/quiz", data={"csrf_token": csrf_from(page), "size": str(size), **fields})
    assert response.status_code == 302
    return response.headers["Location"]


def quiz_items(app) -> list[QuizItem]:
    with app.app_context():
        items = db.session.scalars(select(QuizItem).order_by(QuizItem.position)).all()
        for item in items:
            _ = item.question.data  # loaded while the session is open
        return items


def test_quiz_without_script(student, app):
    url = start_quiz(student, 3)
    items = quiz_items(app)
    for n in range(3):
        page = student.get(url).get_data(as_text=True)
        assert f"Question {n + 1} of 3" in page
        answer = student.post(f"{url}/answer", data={"csrf_token": csrf_from(page), "position": str(n),
                                                       **right_answer(items[n])})
        assert answer.status_code == 302
    result = student.get(url).get_data(as_text=True)
    assert "Score: 3.00 / 3 (100%)" in result and result.count("✓ Right") == 3
    with app.app_context():
        items = db.session.scalars(select(QuizItem)).all()
        assert len(items) == 3 and all(i.answered_at is not None and i.review_log_id for i in items)
        assert all(i.outcome and i.outcome["score"] == 1.0 for i in items)
        kinds = set(db.session.scalars(select(ReviewLog.kind)))
        assert kinds == {"quiz"}


def test_quiz_asks_again_when_an_answer_is_empty_or_not_offered(student, app):
    url = start_quiz(student, 8)
    items = {i.question.key: i for i in quiz_items(app)}
    page = student.get(url).get_data(as_text=True)
    token = csrf_from(page)

    def send(key: str, **fields):
        return student.post(f"{url}/answer", data={"csrf_token": token, "position": str(items[key].position),
                                                   "shown_at": "1700000000000", **fields})

    for key, fields, message in [
        ("capital", {}, "Choose or type an answer first."),
        ("capital", {"answer": "Paris"}, "That answer is not one of the choices"),
        ("members", {"answer": ["USSR", "Cuba"]}, "That answer is not one of the choices"),
        ("tf", {}, "Choose or type an answer first."),
        ("match", {"match-0": "", "match-1": ""}, "Choose or type an answer first."),
        ("match", {"match-0": "PRC", "match-1": "Cuba"}, "That match is not one of the choices"),
        ("order", {"item-0": "First", "position-0": "1", "item-1": "Second", "position-1": "1",
                   "item-2": "Third", "position-2": "2"}, "Give each item its own position from 1 to 3."),
    ]:
        refused = send(key, **fields)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400, (key, fields)
        assert message in page and 'role="alert"' in page, (key, fields)
        # The same question again, ready to be answered.
        assert f"Question {items[key].position + 1} of 8" in page and 'name="shown_at" value="1700000000000"' in page
    unreadable = send("year", answer="nineteen forty-nine")  # not a number: asked again, the text kept
    assert unreadable.status_code == 400 and 'value="nineteen forty-nine"' in unreadable.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 0
        assert db.session.scalar(select(func.count(QuizItem.id)).where(QuizItem.answered_at.is_not(None))) == 0
    assert send("capital", answer="Moscow").status_code == 302


def test_quiz_result_keeps_the_grade_given_when_a_question_is_edited(student, app):
    url = start_quiz(student, 8)
    items = quiz_items(app)
    for item in items:
        page = student.get(url).get_data(as_text=True)
        student.post(f"{url}/answer", data={"csrf_token": csrf_from(page), "position": str(item.position),
                                            **right_answer(item)})
    before = student.get(url).get_data(as_text=True)
    assert "Score: 8.00 / 8 (100%)" in before
    with app.app_context():
        edited = [dict(q, answer="Beijing") if q["id"] == "capital" else q for q in QUESTIONS]
        assert make_bank(questions=edited).reset == ["capital"]
    after = student.get(url).get_data(as_text=True)
    assert "Score: 8.00 / 8 (100%)" in after and after.count("✓ Right") == 8
    assert "<dt>Right answer</dt><dd>Moscow</dd>" in after


def test_quiz_result_shows_a_negative_mark_and_total(student, app):
    with app.app_context():
        report = make_bank("negative", title="Negative marks", questions=[{
            "id": "capital", "type": "multiple_choice", "prompt": "Where did Mao travel in December 1949?",
            "choices": ["Moscow", "Beijing", "Warsaw"], "answer": "Moscow", "weights": {"Warsaw": -0.5}}])
        bank_id = db.session.scalar(select(Question.bank_id).where(Question.bank.has(slug="negative")))
    assert report is not None
    url = start_quiz(student, 1, bank=str(bank_id))
    page = student.get(url).get_data(as_text=True)
    assert "Where did Mao travel" in page
    student.post(f"{url}/answer", data={"csrf_token": csrf_from(page), "position": "0", "answer": "Warsaw"})
    result = student.get(url).get_data(as_text=True)
    assert "Score: -0.50 / 1 (-50%)" in result and "✗ Wrong (-50%)" in result


def test_settings_validate_and_save(student, app):
    from quizapp.models import User

    page = student.get("/study/settings").get_data(as_text=True)
    bad = student.post("/study/settings", data={"csrf_token": csrf_from(page), "desired_retention": "1.5",
                                                "new_per_day": "-1", "reviews_per_day": "200",
                                                "timezone": "Nowhere", "day_start_hour": "4"})
    assert bad.status_code == 400
    good = student.post("/study/settings", data={"csrf_token": csrf_from(page), "desired_retention": "0.85",
                                                 "new_per_day": "5", "reviews_per_day": "100",
                                                 "timezone": "Asia/Shanghai", "day_start_hour": "3"})
    assert good.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.desired_retention, user.new_per_day, user.timezone) == (0.85, 5, "Asia/Shanghai")
    optimise = student.post("/study/settings/optimise", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "at least 400 are needed" in optimise.get_data(as_text=True)
