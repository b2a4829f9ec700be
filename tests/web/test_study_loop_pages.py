"""The study loop's pages after the speed work: the bank chooser on request, the feedback page's
quotes in their document (kept between views, renewed when the document or the question changes),
and the undo button naming the latest answer."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, User
from quizapp.services import documents
from tests.conftest import AuthActions, csrf_from
from tests.factories import NOW, QUESTIONS, make_bank

FIELDS = ("csrf_token", "question_id", "ordinal", "client_id", "shown_at", "version", "owner")


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def answer_capital(client, answer: str = "Moscow") -> str:
    """Answers the first card (the multiple choice "capital") and returns its feedback page."""
    page = client.get("/study").get_data(as_text=True)
    assert "Where did Mao travel in December 1949?" in page
    response = client.post("/study/answer", data={**{k: hidden(page, k) for k in FIELDS}, "answer": answer})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_card_page_links_to_the_bank_chooser_instead_of_listing_every_bank(app, student):
    with app.app_context():
        make_bank("second", title="Second bank")
        first, second = (db.session.scalar(select(Bank.id).where(Bank.slug == s)) for s in ("demo", "second"))
    page = student.get("/study").get_data(as_text=True)
    assert 'href="/study?choose=1">Banks: 2 of 2 chosen</a>' in page
    assert "Second bank" not in page and 'name="bank"' not in page  # no list on every card
    chooser = student.get("/study?choose=1").get_data(as_text=True)
    assert "<details class=\"bank-chooser\" open>" in chooser and "Study these banks" in chooser
    assert f'value="{first}" id="bank-{first}" checked' in chooser and "Second bank" in chooser
    assert "Where did Mao travel in December 1949?" in chooser  # the card is still there to answer
    # Choosing one bank: the count says so, and the cards come from it only.
    picked = student.get(f"/study?bank={second}").get_data(as_text=True)
    assert "Banks: 1 of 2 chosen" in picked and "Second bank · " in picked
    again = student.get("/study?choose=1").get_data(as_text=True)
    assert f'value="{first}" id="bank-{first}" >' in again and f'value="{second}" id="bank-{second}" checked' in again


def test_the_chooser_refuses_banks_the_learner_cannot_study(app, student, make_user):
    with app.app_context():
        teacher = db.session.get(User, make_user("t@example.com", role="teacher"))
        make_bank("private", title="Private bank", builtin=False, owner=teacher)
        private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
    page = student.get(f"/study?bank={private}&choose=1").get_data(as_text=True)
    assert "Private bank" not in page and "<summary>Banks: 1 of 1 chosen</summary>" in page


def test_the_feedback_quote_follows_its_document_when_it_is_replaced(app, student):
    with app.app_context():
        bank = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
        documents.add(bank, {"doc.txt": "First version. Mao went to Moscow in 1949. Then home."}, NOW)
    feedback = answer_capital(student)
    assert "First version. <mark>Mao went to Moscow in 1949.</mark> Then home." in feedback
    log_page = re.search(r'name="log_id" value="(\d+)"', feedback).group(1)
    assert "First version." in student.get(f"/study/answered/{log_page}").get_data(as_text=True)  # kept
    with app.app_context():
        documents.add(bank, {"doc.txt": "Second version. Mao went to Moscow in 1949. Then away."},
                      NOW + timedelta(minutes=1))
    again = student.get(f"/study/answered/{log_page}").get_data(as_text=True)
    assert "Second version. <mark>Mao went to Moscow in 1949.</mark> Then away." in again
    assert "First version." not in again


def test_the_feedback_quote_follows_its_document_deleted_and_added_again_at_one_clock_reading(app, student):
    """The bank's document list is kept per bank version: deleting or adding a document moves the
    bank's updated_at, even within one clock reading, so no page shows a list from before."""
    from quizapp.models import Document

    with app.app_context():
        bank = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
        documents.add(bank, {"doc.txt": "Kept text. Mao went to Moscow in 1949. The end."}, NOW)
    feedback = answer_capital(student)
    log_id = re.search(r'name="log_id" value="(\d+)"', feedback).group(1)
    assert "Kept text. <mark>Mao went to Moscow in 1949.</mark>" in feedback
    with app.app_context():
        documents.delete(bank, db.session.scalar(select(Document.id).where(Document.bank_id == bank)), NOW)
    gone = student.get(f"/study/answered/{log_id}").get_data(as_text=True)
    assert "Kept text." not in gone and "<blockquote>Mao went to Moscow in 1949.</blockquote>" in gone
    with app.app_context():  # the only document again (another name), at the same clock reading
        documents.add(bank, {"other.txt": "New text. Mao went to Moscow in 1949. Fin."}, NOW)
    back = student.get(f"/study/answered/{log_id}").get_data(as_text=True)
    assert "New text. <mark>Mao went to Moscow in 1949.</mark> Fin." in back


def test_the_feedback_quote_follows_the_question_when_its_evidence_changes(app, student):
    with app.app_context():
        bank = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
        documents.add(bank, {"doc.txt": "Mao went to Moscow in 1949.\n\nHe stayed for two months."}, NOW)
    feedback = answer_capital(student)
    log_id = re.search(r'name="log_id" value="(\d+)"', feedback).group(1)
    assert "<mark>Mao went to Moscow in 1949.</mark>" in feedback and "two months" not in feedback
    with app.app_context():  # the teacher points the question at another sentence
        edited = [dict(q, evidence="He stayed for two months.") if q["id"] == "capital" else q for q in QUESTIONS]
        make_bank(questions=edited)
    again = student.get(f"/study/answered/{log_id}").get_data(as_text=True)
    assert "<mark>He stayed for two months.</mark>" in again and "<mark>Mao went" not in again


def test_a_quote_missing_from_its_document_is_shown_alone(app, student):
    with app.app_context():
        bank = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
        documents.add(bank, {"doc.txt": "A text about something else entirely."}, NOW)
    feedback = answer_capital(student)
    assert "<blockquote>Mao went to Moscow in 1949.</blockquote>" in feedback and "<mark>" not in feedback


def test_the_undo_button_on_the_next_card_takes_back_the_answer_just_given(app, student):
    feedback = answer_capital(student, "Warsaw")
    log_id = re.search(r'name="log_id" value="(\d+)"', feedback).group(1)
    assert "✗ Not quite" in feedback and "Change it if that" in feedback  # the latest answer: re-rate it
    page = student.get("/study").get_data(as_text=True)
    assert f'name="log_id" value="{log_id}"' in page  # the next card's undo button names that answer
    response = student.post("/study/undo", data={"csrf_token": csrf_from(page), "log_id": log_id})
    assert response.status_code == 302
    with app.app_context():
        capital = db.session.scalar(select(Question.id).where(Question.key == "capital"))
    page = student.get("/study").get_data(as_text=True)
    assert hidden(page, "question_id") == str(capital) and 'name="log_id"' not in page
    assert student.get(f"/study/answered/{log_id}").status_code == 404  # taken back: gone


def test_only_the_latest_answer_can_be_rated_again_from_its_feedback_page(student):
    first = answer_capital(student, "Warsaw")
    first_id = re.search(r'name="log_id" value="(\d+)"', first).group(1)
    page = student.get("/study").get_data(as_text=True)
    fields = {k: hidden(page, k) for k in FIELDS}
    response = student.post("/study/answer", data={**fields, "answer": "USSR"})
    assert response.status_code == 302
    latest = student.get(response.headers["Location"]).get_data(as_text=True)
    older = student.get(f"/study/answered/{first_id}").get_data(as_text=True)
    assert "Change it if that" in latest and "Undo this answer" in latest
    assert "Change it if that" not in older and "Undo this answer" not in older
    assert "✗ Not quite" in older and "Warsaw" in older  # still the answer as it was graded


def test_the_suggestion_kept_from_the_answer_is_the_one_the_feedback_page_would_work_out(app, student, make_user):
    """The feedback page takes the rating the answer suggested from the learner's session; opened
    elsewhere (another browser: no such session) it works it out again, and says the same."""
    feedback = answer_capital(student)  # right and quick: Good, suggested
    log_id = re.search(r'name="log_id" value="(\d+)"', feedback).group(1)
    said = re.search(r"<legend>(.*?)</legend>", feedback, re.S).group(1)
    assert "Rated <strong>Good</strong> (suggested from your answer and time)" in said
    elsewhere = app.test_client()
    AuthActions(elsewhere).login()
    page = elsewhere.get(f"/study/answered/{log_id}").get_data(as_text=True)
    assert re.search(r"<legend>(.*?)</legend>", page, re.S).group(1) == said
