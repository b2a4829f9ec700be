"""A timed quiz as Moodle runs it, in a real browser: flag, jump with the navigation panel (the answer
saved on the way), the summary, the countdown announcing the last minute and submitting at 0, the
review of the wrong ones, "retry the wrong ones", and resuming from the home page."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import QuizAttempt
from quizapp.models.types import utcnow
from tests.e2e.conftest import log_in, serious_violations
from tests.factories import make_bank

SHOTS = Path("/tmp/shots")
MC = [{"id": f"q{n}", "type": "multiple_choice", "prompt": f"Which answer is right in question {n}?",
       "choices": ["Right", "Wrong"], "answer": "Right", "source": "doc",
       "evidence": "Mao went to Moscow in 1949." if n < 2 else f"Passage {n} of the document."} for n in range(4)]


def shoot(page, name: str) -> None:
    """The page at 1280 and 390 px wide (back to 1280 after)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.screenshot(path=str(SHOTS / f"quiz-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}"
    page.set_viewport_size({"width": 1280, "height": 844})


def leave_seconds(app, seconds: int) -> None:
    """Moves the open attempt's start back so that ``seconds`` of its 5 minutes are left."""
    with app.app_context():
        attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
        attempt.started_at = utcnow() - timedelta(seconds=attempt.time_limit - seconds)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def quiz_page(page, app, make_user):
    with app.app_context():
        make_bank("mc", questions=MC, title="Four choices")
        db.session.remove()
    make_user(email="student@example.com")
    log_in(page, "student@example.com")
    return page


def test_a_timed_quiz_with_navigation_flags_summary_and_retry(quiz_page, app):
    page = quiz_page
    page.goto("/quiz")
    page.get_by_label("Number of questions").fill("4")
    page.get_by_label("Time limit").select_option(label="5 minutes")
    page.get_by_role("button", name="Start quiz").click()
    expect(page.get_by_text("Question 1 of 4")).to_be_visible()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^[45]:\d\d$"))

    # Flagged in the background: the choice made and not yet saved stays.
    page.get_by_role("radio", name="Right").check()
    page.get_by_role("button", name="Flag for later").click()
    expect(page.get_by_role("button", name="Flag for later")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Question 1: not answered, flagged")).to_be_visible()
    expect(page.get_by_role("radio", name="Right")).to_be_checked()
    page.get_by_role("button", name="Question 3: not answered").click()  # saves question 1 on the way
    expect(page.get_by_text("Question 3 of 4")).to_be_visible()
    expect(page.get_by_role("button", name="Question 1: answered, flagged")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "question")
    page.emulate_media(color_scheme="dark")
    assert serious_violations(page) == []
    shoot(page, "question-dark")
    page.emulate_media(color_scheme="light")

    page.get_by_role("radio", name="Wrong").check()
    page.get_by_role("button", name="Finish attempt…").click()
    expect(page.get_by_role("heading", name="Summary of your quiz")).to_be_visible()
    expect(page.get_by_text("2 of 4 questions answered")).to_be_visible()
    expect(page.get_by_role("button", name="Submit all and finish")).to_be_visible()
    shoot(page, "summary")

    # The last minute is announced once; at 0 the page submits itself and the server closes the quiz.
    leave_seconds(app, 62)
    page.reload()
    expect(page.locator("[data-countdown-announce]")).to_have_text("1 minute left.", timeout=6000)
    expect(page.locator(".quiz-timer")).to_have_class(re.compile("is-short"))
    leave_seconds(app, 2)
    page.reload()
    expect(page.get_by_text("The time limit (5 minutes) was up")).to_be_visible(timeout=8000)
    expect(page.locator("#score-heading")).to_have_text("Score: 1.00 / 4 (25%)")
    assert serious_violations(page) == []
    shoot(page, "result")

    page.get_by_role("link", name=re.compile("Not right")).click()
    expect(page.locator(".quiz-review > li")).to_have_count(3)
    page.locator(".quiz-review details summary").first.click()
    shoot(page, "result-wrong-ones")

    page.get_by_role("button", name="Retry the wrong ones (3)").click()
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    expect(page.get_by_role("timer")).to_have_count(0)  # a retry has no time limit
    page.goto("/quiz")
    expect(page.get_by_role("link", name="Resume your quiz")).to_be_visible()
    shoot(page, "start")
    page.goto("/quiz/history")
    expect(page.locator("#quiz-history tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("^Review the answers"))).to_have_count(1)
    shoot(page, "history")
    page.goto("/")
    page.get_by_role("link", name="Resume your quiz (0 of 3 answered)").click()
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
