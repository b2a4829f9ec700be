"""The welcome page, the learner's home, and assigned work first (home, "all done", progress)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, User
from quizapp.models.types import utcnow
from quizapp.services import assigned_work, classes
from tests.answers import response_for
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_visitor_gets_the_welcome_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/register"' in page and 'href="/login"' in page and "Create a free account" in page
    # A real card with its source, and the three roles.
    assert "what did Mao go to Moscow in late 1949 to seek?" in page
    assert "<mark>In late 1949, Mao went to Moscow to seek economic help.</mark>" in page
    assert all(f"<h3>{role}</h3>" in page for role in ("Learners", "Teachers", "Administrators"))
    assert "Hello," not in page and "<script>" not in page and "style=" not in page


def test_a_learners_home_shows_what_is_due_and_each_bank(student, app):
    page = student.get("/").get_data(as_text=True)
    text = text_of(page)
    assert "Hello, ada" in text and "Today: 0 reviews due, 0 in learning, 9 new." in text
    assert ">Start studying</a>" in page and "10 cards · built in" in text
    assert "Due today 0 Mastered 0 % Studied 0 / 10" in text  # each bank's figures, not its description
    assert 'href="/study?bank=' in page and "style=" not in page


@pytest.fixture
def classroom(app, make_user):
    """Ada in Mr T's class, with two banks assigned: one due in 3 days, one in 10; a third with none."""
    teacher_id = make_user(email="t@example.com", role="teacher", name="Mr T")
    student_id = make_user()
    now = utcnow()
    with app.app_context():
        teacher = db.session.get(User, teacher_id)
        make_bank("later", [{"id": "l1", "type": "true_false", "prompt": "Later one", "answer": True},
                            {"id": "l2", "type": "true_false", "prompt": "Later two", "answer": False}],
                  title="Later bank", builtin=False, owner=teacher)
        make_bank("sooner", [{"id": "s1", "type": "true_false", "prompt": "Sooner one", "answer": True},
                             {"id": "s2", "type": "true_false", "prompt": "Sooner two", "answer": True},
                             {"id": "s3", "type": "true_false", "prompt": "Sooner three", "answer": True}],
                  title="Sooner bank", builtin=False, owner=teacher)
        make_bank("open", [{"id": "o1", "type": "true_false", "prompt": "Open one", "answer": True}],
                  title="Open bank", builtin=False, owner=teacher)
        room = classes.create(teacher, "History 9B", now)
        classes.join(db.session.get(User, student_id), room, now)
        banks = {b.slug: b.id for b in db.session.scalars(select(Bank))}
        classes.assign(teacher, room, banks["later"], now + timedelta(days=10), now)
        classes.assign(teacher, room, banks["sooner"], now + timedelta(days=3), now)
        classes.assign(teacher, room, banks["open"], None, now)
    return student_id


def test_assigned_work_comes_first_nearest_due_date_first(client, app, classroom):
    AuthActions(client).login()
    page = client.get("/").get_data(as_text=True)
    assigned = text_of(page.split('id="assigned-heading"')[1].split("</section>")[0])
    assert assigned.index("Sooner bank") < assigned.index("Later bank") < assigned.index("Open bank")
    assert "3 new cards to learn" in assigned and "2 new cards to learn" in assigned
    assert "History 9B · due" in assigned and "no due date" in assigned
    assert page.index("Assigned work") < page.index("Your banks")


def test_what_is_left_follows_the_learners_answers_wrong_ones_included(client, app, classroom):
    AuthActions(client).login()
    token = csrf_from(client.get("/").get_data(as_text=True))
    with app.app_context():
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        sent = {key: (questions[key].id, str(response_for(questions[key], right=key != "s2")).lower())
                for key in ("s1", "s2")}
    for n, (qid, answer) in enumerate(sent.values()):
        client.post("/study/answer", data={"csrf_token": token, "question_id": qid, "ordinal": 0,
                                           "client_id": f"a{n}", "answer": answer})
    with app.app_context():
        work = {w.title: w for w in assigned_work.for_learner(db.session.get(User, classroom), utcnow())}
    sooner = work["Sooner bank"]
    # Two answered (one right, one wrong): one new card left; both are in learning steps, due again today.
    assert (sooner.cards, sooner.started, sooner.new_left, sooner.reviews, sooner.left) == (3, 2, 1, 2, 3)
    assert not sooner.done and not sooner.overdue and work["Later bank"].left == 2
    page = text_of(client.get("/").get_data(as_text=True))
    assert "1 new card to learn · 2 reviews due by then" in page


def test_the_all_done_page_and_the_dashboard_show_assigned_work(client, app, classroom, make_user):
    AuthActions(client).login()
    token = csrf_from(client.get("/").get_data(as_text=True))
    with app.app_context():
        bank_ids = [b.id for b in db.session.scalars(select(Bank))]
        qids = [q.id for q in db.session.scalars(select(Question))]
    for qid in qids:  # bury everything: the study page is "all done"
        client.post("/study/cards/act", data={"csrf_token": token, "one": f"bury {qid}:0"})
    done = client.get(f"/study?bank={bank_ids[0]}").get_data(as_text=True)
    assert "All done for now" in done and "Assigned work" in done and 'href="/study/custom"' in done
    assert 'href="/study/cards"' in done
    dashboard = client.get("/progress").get_data(as_text=True)
    assert "Assigned work" in dashboard and "See and unsuspend your 0 suspended cards" in dashboard


def test_a_teachers_view_of_the_student_has_no_assigned_work_panel(client, app, classroom):
    AuthActions(client).login("t@example.com")
    with app.app_context():
        class_id = db.session.scalar(select(classes.Classroom.id))
    response = client.get(f"/teach/classes/{class_id}/students/{classroom}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Due today" in page
    assert "Assigned work" not in page and "See and unsuspend" not in page


def test_a_learner_outside_the_class_sees_none_of_it(client, app, classroom, make_user):
    make_user(email="bob@example.com", name="Bob")
    AuthActions(client).login("bob@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "Assigned work" not in page and "Sooner bank" not in page and "History 9B" not in page
