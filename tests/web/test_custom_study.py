"""Custom study through the real routes: each session, its limits, and that choosing one changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Question, User
from quizapp.models.types import utcnow
from tests.answers import fill_card_form, response_for
from tests.conftest import csrf_from


def cards_table(app) -> list[tuple]:
    with app.app_context():
        return sorted((c.id, c.question_id, c.ordinal, c.state, c.due, c.stability, c.reps, c.lapses, c.suspended,
                       c.buried_until) for c in db.session.scalars(select(Card)))


def start(client, **form):
    token = csrf_from(client.get("/study/custom").get_data(as_text=True))
    return client.post("/study/custom", data={"csrf_token": token, **form})


def shown(client, app) -> tuple[str, int]:
    """The key and card number of the card the study page shows."""
    form = fill_card_form(client.get("/study").get_data(as_text=True))
    with app.app_context():
        return db.session.get(Question, int(form["question_id"])).key, int(form["ordinal"])


def test_the_page_offers_four_sessions_with_labelled_fields(client, seeded_learner):
    page = client.get("/study/custom").get_data(as_text=True)
    for heading in ("Study ahead", "Review forgotten cards", "More new cards today", "Study by tag"):
        assert f">{heading}</h2>" in page
    for name, label in (("ahead_days", "Days ahead"), ("forgotten_days", "Days back"), ("extra_new", "More new cards")):
        assert f'<label for="{name}">{label}</label>' in page
    assert "treaty <span class=\"muted\">(2 cards)</span>" in page and page.count('name="mode"') == 4


@pytest.mark.parametrize(("form", "label", "keys"), [
    ({"mode": "ahead", "ahead_days": "2"}, "Studying ahead: cards due in the next 2 days (4 cards)",
     {("year", 0), ("members", 0), ("who", 0), ("cloze", 1)}),
    ({"mode": "forgotten", "forgotten_days": "2"}, "Reviewing the cards you forgot in the last 2 days (2 cards)",
     {("capital", 0), ("members", 0)}),
    ({"mode": "tag", "tags": ["treaty"]}, "Studying the tag treaty (2 cards)", {("capital", 0), ("tf", 0)}),
    ({"mode": "tag", "tags": ["alliances", "1949"]}, "Studying the tags alliances, 1949 (3 cards)",
     {("capital", 0), ("members", 0), ("year", 0)}),
])
def test_each_session_shows_only_its_cards_and_changes_nothing_until_answered(client, seeded_learner, app, form, label,
                                                                                keys):
    before = cards_table(app)
    response = start(client, **form)
    assert response.status_code == 302 and response.location == "/study"
    assert cards_table(app) == before  # choosing a session wrote nothing
    page = client.get("/study").get_data(as_text=True)
    assert label in page
    assert shown(client, app) in keys


def test_a_whole_session_ends_back_on_all_cards(client, seeded_learner, app):
    start(client, mode="tag", tags=["treaty"])
    seen = set()
    for _ in range(12):
        page = client.get("/study").get_data(as_text=True)
        if "Studying the tag treaty" not in page:
            break
        form = fill_card_form(page)
        with app.app_context():
            seen.add(db.session.get(Question, int(form["question_id"])).key)
        assert client.post("/study/answer", data={**form, "rating": "4"}).status_code == 302
    assert seen == {"capital", "tf"}
    assert "You have studied the 2 chosen cards: back to all your cards." in page


def test_forgotten_cards_of_a_failing_learner(client, seeded_learner, app):
    """Wrong answers through the study page come back in "review forgotten cards" (1 day: today's)."""
    token = csrf_from(client.get("/study/custom").get_data(as_text=True))
    with app.app_context():
        tf = db.session.scalar(select(Question).where(Question.key == "tf"))
        qid, wrong = tf.id, str(response_for(tf, right=False)).lower()
    assert client.post("/study/answer", data={"csrf_token": token, "question_id": qid, "ordinal": 0,
                                              "client_id": "f-1", "answer": wrong}).status_code == 302
    client.post("/progress/focus/clear", data={"csrf_token": token})
    start(client, mode="forgotten", forgotten_days="1")
    page = client.get("/study").get_data(as_text=True)
    assert "Reviewing the cards you forgot today (2 cards)" in page
    assert shown(client, app) in {("tf", 0), ("capital", 0)}


def test_more_new_cards_today_raise_the_daily_queues_limit_for_today_only(client, seeded_learner, app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
        user.new_per_day = 1
        db.session.commit()
    before_page = client.get("/study").get_data(as_text=True)
    assert '<b>1</b> new' in before_page
    before = cards_table(app)
    response = start(client, mode="new", extra_new="2")
    assert response.status_code == 302 and response.location == "/study"
    page = client.get("/study").get_data(as_text=True)
    assert "Today&#39;s new-card limit is raised by 2" in page
    assert '<b>3</b> new' in page  # the daily queue's own count: no separate session
    assert "Studying" not in page
    assert cards_table(app) == before  # no card changed
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
        assert (user.new_per_day, user.extra_new) == (1, 2)
    start(client, mode="new", extra_new="1")
    assert "raised by 3" in client.get("/study").get_data(as_text=True)


@pytest.mark.parametrize(("form", "message"), [
    ({"mode": "ahead", "ahead_days": "0"}, "Number must be between 1 and 365."),
    ({"mode": "ahead", "ahead_days": "soon"}, "Not a valid integer value."),
    ({"mode": "ahead", "ahead_days": ""}, "Enter a number."),
    ({"mode": "forgotten", "forgotten_days": "366"}, "Number must be between 1 and 365."),
    ({"mode": "new", "extra_new": "51"}, "Number must be between 1 and 50."),
    ({"mode": "tag"}, "Choose at least one tag."),
    ({"mode": "tag", "tags": ["not-a-tag"]}, "not a valid choice"),
    ({"mode": "cram"}, "Not a valid choice."),
])
def test_bad_input_is_a_400_that_says_what(client, seeded_learner, app, form, message):
    before = cards_table(app)
    response = start(client, **form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "study_focus" not in session
    assert cards_table(app) == before


def test_nothing_to_study_says_so(student):
    response = start(student, mode="forgotten", forgotten_days="7")
    assert response.status_code == 302 and response.location == "/study/custom"
    assert "Review forgotten cards: no cards to study" in student.get("/study/custom").get_data(as_text=True)


def test_a_custom_session_ends_with_the_study_day(client, seeded_learner, app):
    start(client, mode="tag", tags=["treaty"])
    with client.session_transaction() as session:
        session["study_focus"] = {**session["study_focus"], "until": (utcnow() - timedelta(minutes=1)).isoformat()}
    page = client.get("/study", follow_redirects=True).get_data(as_text=True)
    assert "Your custom session ended with the study day" in page and "Studying the tag" not in page
