"""Quizzes as Moodle runs them, without script: the navigation panel (answers saved on moving),
flags, the summary with "Submit all and finish", the time limit, resuming from the home page, the
review of the wrong ones and "retry the wrong ones"."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, QuizAttempt, QuizItem, ReviewLog
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank
from tests.web.test_study_pages import quiz_items, right_answer, start_quiz


def attempt_id(url: str) -> int:
    return int(re.fullmatch(r"/quiz/(\d+)", url).group(1))


def post(client, url: str, page: str, position: int, **fields):
    return client.post(f"{url}/answer", data={"csrf_token": csrf_from(page), "position": str(position), **fields})


def answered_positions(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(QuizItem.position).where(QuizItem.answered_at.is_not(None))))


def test_the_navigation_panel_moves_anywhere_and_saves_the_answer_typed(student, app):
    url = start_quiz(student, 4)
    items = quiz_items(app)
    page = student.get(url).get_data(as_text=True)
    assert "Question 1 of 4" in page
    for n in range(1, 5):  # a numbered button per question, all unanswered, the first current
        assert f'aria-label="Question {n}: not answered"' in page
    assert 'aria-current="step"' in page and 'value="3"' in page
    # Answer question 1 and jump to question 4: the answer is saved, then question 4 shown.
    moved = post(student, url, page, 0, go="3", **right_answer(items[0]))
    assert moved.status_code == 302 and moved.headers["Location"] == f"{url}?q=3"
    assert answered_positions(app) == {0}
    page = student.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Question 4 of 4" in page and 'aria-label="Question 1: answered"' in page
    # Moving on with nothing typed saves nothing (and is no error).
    moved = post(student, url, page, 3, go="1")
    assert moved.status_code == 302 and moved.headers["Location"] == f"{url}?q=1"
    assert answered_positions(app) == {0}
    # An answered question shows what was given, without grading it or a form to change it.
    back = student.get(f"{url}?q=0").get_data(as_text=True)
    assert "Your answer" in back and "An answer is final once saved" in back
    assert "Save and next" not in back and "✓" not in back
    # "Save and next" with nothing typed still asks for an answer.
    refused = post(student, url, page, 1)
    assert refused.status_code == 400 and "Choose or type an answer first." in refused.get_data(as_text=True)
    # "Next" goes to the next unanswered question after this one.
    nxt = post(student, url, page, 1, **right_answer(items[1]))
    assert nxt.headers["Location"] == f"{url}?q=2"
    # A target that is no question ("²", out of range) is "Next"; an unknown ?q= shows the first unanswered.
    for go in ("²", "99", "-1"):
        assert post(student, url, page, 2, go=go).headers["Location"] == f"{url}?q=3"
    assert "Question 3 of 4" in student.get(f"{url}?q=²").get_data(as_text=True)


def test_a_flag_marks_the_question_keeps_what_was_typed_and_shows_in_the_summary(student, app):
    url = start_quiz(student, 8)
    items = {i.question.key: i for i in quiz_items(app)}
    who = items["who"].position
    page = student.get(f"{url}?q={who}").get_data(as_text=True)
    flagged = post(student, url, page, who, go="flag", answer="Chiang")
    text = flagged.get_data(as_text=True)
    assert flagged.status_code == 200 and "data-flag-mark>" in text and 'aria-pressed="true"' in text
    assert 'value="Chiang"' in text  # what was typed is kept, not saved
    assert f'aria-label="Question {who + 1}: not answered, flagged"' in text
    assert answered_positions(app) == set()
    summary = student.get(f"{url}/summary").get_data(as_text=True)
    assert "0 of 8 questions answered" in summary and "8 not answered" in summary and "1 flagged" in summary
    assert summary.count("Not yet answered") == 8 and summary.count("⚑ Flagged") == 1
    unflagged = post(student, url, text, who, go="unflag")
    text = unflagged.get_data(as_text=True)
    assert unflagged.status_code == 200 and 'aria-pressed="false"' in text and "data-flag-mark hidden>" in text
    assert "1 flagged" not in student.get(f"{url}/summary").get_data(as_text=True)
    # As static/js/quiz.js sends it: no page back, the flag set all the same.
    fetched = student.post(f"{url}/answer", data={"csrf_token": csrf_from(text), "position": str(who), "go": "flag"},
                           headers={"X-Requested-With": "fetch"})
    assert fetched.status_code == 204
    with app.app_context():
        assert db.session.scalar(select(QuizItem.flagged).where(QuizItem.position == who))


def test_submit_all_and_finish_with_unanswered_questions(student, app):
    url = start_quiz(student, 3)
    items = quiz_items(app)
    page = student.get(url).get_data(as_text=True)
    to_summary = post(student, url, page, 0, go="summary", **right_answer(items[0]))
    assert to_summary.headers["Location"] == f"{url}/summary"
    summary = student.get(f"{url}/summary").get_data(as_text=True)
    assert "1 of 3 questions answered" in summary and "2 not answered" in summary
    assert "Submit all and finish" in summary
    done = student.post(f"{url}/finish", data={"csrf_token": csrf_from(summary)})
    assert done.headers["Location"] == url
    result = student.get(url).get_data(as_text=True)
    assert "Score: 1.00 / 3 (33%)" in result and result.count("– Not answered") == 2
    # Finished: the summary leads to the result, and a late answer is not taken.
    assert student.get(f"{url}/summary").headers["Location"] == url
    late = post(student, url, summary, 1, **right_answer(items[1]))
    assert late.headers["Location"] == url and answered_positions(app) == {0}


def test_the_time_limit_shows_a_countdown_and_refuses_late_answers(student, app):
    page = student.get("/quiz").get_data(as_text=True)
    assert '<option selected value="0">None</option>' in page  # no limit unless chosen
    url = start_quiz(student, 3, time_limit="5")
    items = quiz_items(app)
    page = student.get(url).get_data(as_text=True)
    assert 'data-seconds-left="' in page and 'role="timer"' in page and "of 5 minutes" in page
    assert "js/quiz.js" in page and "<script>" not in page
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 290 <= left <= 300
    with app.app_context():  # six minutes later: past the limit and the grace
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        attempt.started_at -= timedelta(minutes=6)
        db.session.commit()
    late = post(student, url, page, 0, **right_answer(items[0]))
    assert late.status_code == 302 and late.headers["Location"] == url
    result = student.get(url).get_data(as_text=True)
    assert "The time limit (5 minutes) was up" in result and "Score: 0.00 / 3 (0%)" in result
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 0
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        assert attempt.timed_out and attempt.finished_at is not None


def test_resume_an_unfinished_quiz_from_the_home_page_and_the_quiz_page(student, app):
    home = student.get("/").get_data(as_text=True)
    assert "Resume your quiz" not in home and "Take a quiz" in home
    url = start_quiz(student, 3)
    items = quiz_items(app)
    post(student, url, student.get(url).get_data(as_text=True), 0, **right_answer(items[0]))
    home = student.get("/").get_data(as_text=True)
    assert f'href="{url}">Resume your quiz (1 of 3 answered)' in home
    assert f'href="{url}">Resume your quiz</a>' in student.get("/quiz").get_data(as_text=True)
    assert "Question 2 of 3" in student.get(url).get_data(as_text=True)  # where it was left
    history = student.get("/quiz/history").get_data(as_text=True)
    assert "unfinished: 1 of 3 answered" in history and f'href="{url}">Resume' in history
    summary = student.get(f"{url}/summary").get_data(as_text=True)
    student.post(f"{url}/finish", data={"csrf_token": csrf_from(summary)})
    assert "Resume your quiz" not in student.get("/").get_data(as_text=True)
    assert "Resume your quiz" not in student.get("/quiz").get_data(as_text=True)


EVIDENCE = "Mao went to Moscow in 1949."
MC = [{"id": f"q{n}", "type": "multiple_choice", "prompt": f"Question number {n}?", "choices": ["Right", "Wrong"],
       "answer": "Right", "source": "doc", "evidence": EVIDENCE if n < 2 else f"Passage {n} of the document."}
      for n in range(4)]


def multiple_choice_quiz(student, app, **fields) -> tuple[str, dict[str, QuizItem]]:
    """A quiz of the four questions above: q0 and q1 quote the same passage."""
    with app.app_context():
        make_bank("mc", questions=MC, title="Four choices")
        bank_id = db.session.scalar(select(Question.bank_id).where(Question.key == "q0"))
    url = start_quiz(student, 4, bank=str(bank_id), **fields)
    return url, {i.question.key: i for i in quiz_items(app)}


def test_review_of_the_wrong_ones_and_retrying_them(student, app):
    url, items = multiple_choice_quiz(student, app, mode="practice")
    page = student.get(url).get_data(as_text=True)
    assert "practice only" in page
    for key, choice in (("q0", "Right"), ("q1", "Wrong"), ("q2", "Right")):  # q3 left unanswered
        post(student, url, page, items[key].position, go="summary", answer=choice)
    summary = student.get(f"{url}/summary").get_data(as_text=True)
    student.post(f"{url}/finish", data={"csrf_token": csrf_from(summary)})
    result = student.get(url).get_data(as_text=True)
    assert "practice only: your cards were not rescheduled" in result
    assert result.count("✓ Right") == 2 and "Retry the wrong ones (2)" in result
    only = student.get(f"{url}?show=wrong").get_data(as_text=True)
    assert only.count('class="verdict"') == 2 and "✓ Right" not in only
    assert "Question number 1?" in only and "Question number 3?" in only and "Question number 0?" not in only
    assert 'aria-current="page">Not right' in only
    retried = student.post(f"{url}/retry", data={"csrf_token": csrf_from(result)})
    new_url = retried.headers["Location"]
    assert retried.status_code == 302 and new_url != url
    with app.app_context():
        new = db.session.get(QuizAttempt, attempt_id(new_url))
        assert sorted(i.question.key for i in new.items) == ["q1", "q3"]
        assert not new.reschedule  # practice stays practice
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 0
    assert "Question 1 of 2" in student.get(new_url).get_data(as_text=True)


def test_the_result_folds_sources_away_and_shows_each_passage_once(student, app):
    url, items = multiple_choice_quiz(student, app)
    page = student.get(url).get_data(as_text=True)
    for item in items.values():
        post(student, url, page, item.position, answer="Right")
    result = student.get(url).get_data(as_text=True)
    assert "Score: 4.00 / 4 (100%)" in result
    assert result.count('<details class="quiz-why">') == 4 and "<summary>Why, and the source" in result
    # q0 and q1 quote the same passage: shown once, the other question points to it.
    assert result.count(EVIDENCE) == 1 and result.count("The same passage as <a href=\"#q-") == 1
    assert "Passage 2 of the document." in result and "Passage 3 of the document." in result


def test_another_students_quiz_pages_are_not_found(student, app, make_user):
    url = start_quiz(student, 2)
    make_user(email="eve@example.com")
    eve = app.test_client()
    AuthActions(eve).login(email="eve@example.com")
    token = csrf_from(eve.get("/quiz").get_data(as_text=True))
    assert eve.get(url).status_code == 404 and eve.get(f"{url}/summary").status_code == 404
    for action in ("finish", "retry", "answer"):
        assert eve.post(f"{url}/{action}", data={"csrf_token": token, "position": "0", "go": "flag"}).status_code == 404
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        assert attempt.finished_at is None and not any(i.flagged for i in attempt.items)


def test_history_dates_are_on_the_learners_clock(student, app):
    from quizapp.models import User
    from quizapp.models.types import utcnow
    from quizapp.web.clock import clock_time

    url = start_quiz(student, 2)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(url))
        attempt.started_at = utcnow().replace(hour=18, minute=5, second=0, microsecond=0)
        started = attempt.started_at
        db.session.scalar(select(User)).timezone = "America/New_York"
        db.session.commit()
    history = student.get("/quiz/history").get_data(as_text=True)
    # 18:05 UTC is 1:05 PM or 2:05 PM in New York (as summer time goes), on its 12-hour clock.
    assert clock_time(started, "America/New_York") in history and re.search(r", [12]:05 PM</time>", history)
    assert "Times are in your time zone, America/New_York" in history and f'href="{url}">Resume' in history
