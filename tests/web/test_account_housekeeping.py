"""The account page's housekeeping: change the email address, download my data, delete my account."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Bank,
    Card,
    Classroom,
    FirstAnswerStats,
    LoginSession,
    Membership,
    Question,
    QuizAttempt,
    QuizItem,
    ReviewLog,
    User,
)
from quizapp.services import accounts, first_answers
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.factories import make_bank
from tests.mailbox import body, link_in, path_of

SOLO = [{"id": "who", "type": "short_answer", "prompt": "Who led the KMT?", "answers": ["Chiang Kai-shek"]}]
ALICE_ANSWER = '=HYPERLINK("http://evil.example","Alice-7781")'  # a formula, as a spreadsheet would run it
BOB_ANSWER = "Bob-answer-5523"


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch):
    """Scrypt with a small work factor: these tests sign in many times and are not about the hash
    (tests/web/test_auth.py checks the real one)."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


def browser(app, email: str):
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def token(client) -> str:
    return AuthActions(client).token("/account")


def answer(client, question_id: int, text: str, client_id: str):
    response = client.post("/study/answer", data={"csrf_token": token(client), "question_id": question_id,
                                                  "ordinal": 0, "client_id": client_id, "answer": text, "rating": 3})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def quiz(client, bank_id: int, text: str) -> int:
    started = client.post("/quiz", data={"csrf_token": token(client), "bank": bank_id, "size": 1})
    attempt = int(started.headers["Location"].rsplit("/", 1)[1])
    answered = client.post(f"/quiz/{attempt}/answer", data={"csrf_token": token(client), "position": 0,
                                                            "answer": text})
    assert answered.status_code == 302, answered.get_data(as_text=True)[:500]
    return attempt


@pytest.fixture
def two_learners(app, make_user):
    """Alice and Bob, each with a study answer and a quiz answer to the same question; Alice in a class."""
    alice_id, bob_id = make_user("alice@example.com", name="Alice"), make_user("bob@example.com", name="Bob")
    teacher_id = make_user("tess@example.com", role="teacher")
    with app.app_context():
        make_bank("solo", SOLO, title="Solo bank")
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == "solo"))
        question_id = db.session.scalar(select(Question.id).where(Question.bank_id == bank_id))
        db.session.add(Classroom(name="Class 9", owner_id=teacher_id, join_code="ABCDEFGH"))
        db.session.commit()
    alice, bob = browser(app, "alice@example.com"), browser(app, "bob@example.com")
    assert alice.post("/join", data={"csrf_token": token(alice), "code": "ABCDEFGH"}).status_code == 302
    answer(alice, question_id, ALICE_ANSWER, "alice-1")
    answer(bob, question_id, BOB_ANSWER, "bob-1")
    quiz(alice, bank_id, "Chiang Kai-shek")
    quiz(bob, bank_id, BOB_ANSWER)
    return {"alice": alice, "bob": bob, "alice_id": alice_id, "bob_id": bob_id, "question_id": question_id}


# -- download my data ---------------------------------------------------------------------------


def test_the_json_download_holds_all_of_my_rows_and_none_of_anyone_elses(app, two_learners):
    response = two_learners["alice"].get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="quizapp-data-')
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert BOB_ANSWER not in text and "bob@example.com" not in text
    assert data["account"]["email"] == "alice@example.com" and data["account"]["classes"] == ["Class 9"]
    with app.app_context():
        mine = set(db.session.scalars(select(ReviewLog.id).where(ReviewLog.user_id == two_learners["alice_id"])))
        cards = db.session.scalar(select(func.count()).select_from(Card).where(
            Card.user_id == two_learners["alice_id"]))
    assert {r["id"] for r in data["reviews"]} == mine and len(mine) == 2
    assert len(data["cards"]) == cards == 1 and data["cards"][0]["question"] == "who"
    assert [(r["kind"], r["answer"]) for r in data["reviews"]] == [("study", ALICE_ANSWER),
                                                                  ("quiz", "Chiang Kai-shek")]
    [item] = data["quiz_answers"]
    assert (item["bank"], item["question"], item["response"], item["score"]) == ("solo", "who", "Chiang Kai-shek", 1.0)


@pytest.mark.parametrize("table", ["cards", "reviews", "quiz_answers"])
def test_each_csv_table_is_mine_only(app, two_learners, table):
    alice = two_learners["alice"].get(f"/account/data.csv?table={table}")
    assert alice.status_code == 200 and alice.mimetype == "text/csv"
    text = alice.get_data(as_text=True)
    assert BOB_ANSWER not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + {"cards": 1, "reviews": 2, "quiz_answers": 1}[table]
    bob = two_learners["bob"].get(f"/account/data.csv?table={table}").get_data(as_text=True)
    assert "Alice-7781" not in bob and (table != "reviews" or BOB_ANSWER in bob)


def test_a_formula_answer_is_quoted_in_the_csv(two_learners):
    text = two_learners["alice"].get("/account/data.csv?table=reviews").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["answer"] == "'" + ALICE_ANSWER  # a spreadsheet shows it as text, never runs it


def test_an_unknown_table_is_a_404(two_learners):
    response = two_learners["alice"].get("/account/data.csv?table=users")
    assert response.status_code == 404 and "cards, reviews, quiz_answers" in response.get_data(as_text=True)


# -- delete my account --------------------------------------------------------------------------


def rows_of(user_id: int) -> dict[str, int]:
    def n(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {"users": n(User, User.id == user_id), "cards": n(Card, Card.user_id == user_id),
            "reviews": n(ReviewLog, ReviewLog.user_id == user_id),
            "attempts": n(QuizAttempt, QuizAttempt.user_id == user_id),
            "items": n(QuizItem, QuizItem.attempt_id.in_(select(QuizAttempt.id).where(
                QuizAttempt.user_id == user_id))),
            "sessions": n(LoginSession, LoginSession.user_id == user_id),
            "memberships": n(Membership, Membership.user_id == user_id)}


def stats() -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(
        select(FirstAnswerStats.question_id, FirstAnswerStats.response_key, FirstAnswerStats.answers,
               FirstAnswerStats.score_sum)))


def test_deleting_my_account_removes_my_progress_and_nobody_elses(app, two_learners):
    alice = two_learners["alice"]
    other_device = browser(app, "alice@example.com")
    with app.app_context():
        before = rows_of(two_learners["alice_id"])
        bob_before = rows_of(two_learners["bob_id"])
        assert stats()[0][2] == 2  # two first answers to the question: Alice's and Bob's
    assert before == {"users": 1, "cards": 1, "reviews": 2, "attempts": 1, "items": 1, "sessions": 2,
                      "memberships": 1}
    page = alice.get("/account/delete")
    assert page.status_code == 200 and "alice@example.com" in page.get_data(as_text=True)

    wrong = alice.post("/account/delete", data={"csrf_token": token(alice), "password": "not it", "understood": "y"})
    assert wrong.status_code == 400 and "The password is not right." in wrong.get_data(as_text=True)
    unticked = alice.post("/account/delete", data={"csrf_token": token(alice), "password": PASSWORD})
    assert unticked.status_code == 400 and "Tick the box to confirm." in unticked.get_data(as_text=True)
    with app.app_context():
        assert rows_of(two_learners["alice_id"]) == before

    done = alice.post("/account/delete", data={"csrf_token": token(alice), "password": PASSWORD, "understood": "y"})
    assert (done.status_code, done.headers["Location"]) == (302, "/")
    assert "Your account and everything in it are deleted." in alice.get("/").get_data(as_text=True)
    with app.app_context():
        assert set(rows_of(two_learners["alice_id"]).values()) == {0}
        assert rows_of(two_learners["bob_id"]) == bob_before
        # Alice's first answer is gone from the question's totals, exactly as a rebuild would leave them.
        after = stats()
        assert after[0][2] == 1
        first_answers.rebuild()
        assert stats() == after
    assert other_device.get("/account").status_code == 302  # her other browser is signed out too
    assert AuthActions(app.test_client()).login("alice@example.com").status_code == 401


def test_a_deleted_teachers_banks_stay_and_their_classes_go(app, make_user):
    teacher_id = make_user("tess@example.com", role="teacher")
    with app.app_context():
        make_bank("tess-bank", SOLO, title="Tess bank", builtin=False, owner=db.session.get(User, teacher_id))
        db.session.add(Classroom(name="Tess class", owner_id=teacher_id, join_code="TESSCODE"))
        db.session.commit()
    tess = browser(app, "tess@example.com")
    assert "The question banks you\n        uploaded stay" in tess.get("/account/delete").get_data(as_text=True)
    tess.post("/account/delete", data={"csrf_token": token(tess), "password": PASSWORD, "understood": "y"})
    with app.app_context():
        assert db.session.scalar(select(Bank.owner_id).where(Bank.slug == "tess-bank")) is None
        assert db.session.scalar(select(func.count()).select_from(Classroom)) == 0


# -- change my email address --------------------------------------------------------------------


def change_email(client, new: str, password: str = PASSWORD):
    return client.post("/account/email", data={"csrf_token": token(client), "new_email": new,
                                               "email_password": password})


def test_a_new_address_is_used_once_its_emailed_link_is_opened(app, make_user, mailbox):
    app.config["REQUIRE_EMAIL_VERIFICATION"] = True
    make_user()
    ada = browser(app, "ada@example.com")
    asked = change_email(ada, "Ada.New@Example.com")
    assert (asked.status_code, asked.headers["Location"]) == (302, "/account")
    page = ada.get("/account").get_data(as_text=True)
    assert "We have emailed a link to ada.new@example.com" in page and "Your address is ada@example.com." in page
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ada.new@example.com" and message["Subject"] == "Confirm your new Quizapp email address"
    link = path_of(link_in(message))

    elsewhere = app.test_client()  # opened from the new mailbox, in a browser that is not signed in
    opened = elsewhere.get(link)
    assert opened.status_code == 200 and "Use ada.new@example.com" in opened.get_data(as_text=True)
    done = elsewhere.post(link, data={"csrf_token": csrf_from(opened.get_data(as_text=True))})
    assert (done.status_code, done.headers["Location"]) == (302, "/login")
    notice = [m for m in mailbox.wait_for(2) if m["To"] == "ada@example.com"]
    assert notice and "now uses ada.new@example.com" in body(notice[0])
    assert "Your address is ada.new@example.com." in ada.get("/account").get_data(as_text=True)
    assert AuthActions(app.test_client()).login("ada.new@example.com").status_code == 302
    assert AuthActions(app.test_client()).login("ada@example.com").status_code == 401
    assert elsewhere.get(link).status_code == 400  # once only


def test_an_address_change_needs_the_password_and_a_free_address(app, make_user, mailbox):
    app.config["REQUIRE_EMAIL_VERIFICATION"] = True
    make_user()
    make_user("bob@example.com")
    ada = browser(app, "ada@example.com")
    wrong = change_email(ada, "ada.new@example.com", password="not my password")
    assert wrong.status_code == 400 and "The password is not right." in wrong.get_data(as_text=True)
    same = change_email(ada, "ADA@example.com")
    assert same.status_code == 400 and "That is already your address." in same.get_data(as_text=True)
    free, taken = change_email(ada, "ada.new@example.com"), change_email(ada, "bob@example.com")
    assert (free.status_code, free.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    assert [m["To"] for m in mailbox.settled()] == ["ada.new@example.com"]  # no link for a taken address


def test_a_link_for_an_address_taken_since_changes_nothing(app, make_user, mailbox):
    app.config["REQUIRE_EMAIL_VERIFICATION"] = True
    make_user()
    ada = browser(app, "ada@example.com")
    change_email(ada, "shared@example.com")
    [message] = mailbox.wait_for(1)
    make_user("shared@example.com")
    link = path_of(link_in(message))
    response = ada.post(link, data={"csrf_token": token(ada)})
    assert response.status_code == 409 and "now used by another account" in response.get_data(as_text=True)
    assert "Your address is ada@example.com." in ada.get("/account").get_data(as_text=True)


def test_with_verification_off_the_address_changes_at_once(app, make_user, mailbox):
    make_user()
    make_user("bob@example.com")
    ada = browser(app, "ada@example.com")
    taken = change_email(ada, "bob@example.com")
    assert taken.status_code == 400 and "now used by another account" in taken.get_data(as_text=True)
    assert change_email(ada, "ada2@example.com").status_code == 302
    assert "Your address is ada2@example.com." in ada.get("/account").get_data(as_text=True)
    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "ada@example.com" and notice["Subject"] == "Your Quizapp email address was changed"


def test_the_only_administrator_cannot_delete_their_account(app, make_user):
    make_user("root@example.com", role="admin")
    root = browser(app, "root@example.com")
    refused = root.post("/account/delete", data={"csrf_token": token(root), "password": PASSWORD, "understood": "y"})
    assert refused.status_code == 400 and "only administrator" in refused.get_data(as_text=True)
    make_user("second@example.com", role="admin")
    assert root.post("/account/delete", data={"csrf_token": token(root), "password": PASSWORD,
                                              "understood": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.role == "admin")) == "second@example.com"
