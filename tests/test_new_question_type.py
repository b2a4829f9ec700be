"""A new question type works end to end after touching only its own module and its templates.

The type below ("year": type the year of an event, right only if exact) stands for the module a
developer would add under quizapp/domain/questions/: it is registered for this test alone, with
its two templates (the answer form and the teacher's preview) in a folder of their own. Nothing
else in the app is told about it, yet a teacher uploads it, previews it, edits it and exports it,
a student studies it and sees its feedback, and the item statistics count it.
"""
from __future__ import annotations

import io
from typing import Any

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import select

from quizapp.banks import formats
from quizapp.domain.questions import REGISTRY
from quizapp.domain.questions.base import EditorField, FieldError, Outcome, QuestionType
from quizapp.extensions import db
from quizapp.models import Bank, Question, ReviewLog
from tests.answers import fill_card_form
from tests.conftest import AuthActions, csrf_from
from tests.web.test_teach_pages import _assign_to_new_class


class Year(QuestionType):
    name = "year"
    label = "Year of an event"
    required = ("prompt", "answer")
    answer_fields = ("answer",)
    editor = (EditorField("prompt", "Question", "textarea"), EditorField("answer", "The year", "text"))

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        if not str(q["answer"]).isdigit():
            return [FieldError("answer", "must be a year, such as 1949")]
        return []

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        return Outcome(score=1.0 if str(response).strip() == str(q["answer"]) else 0.0, expected=str(q["answer"]))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return str(q["answer"])


TEMPLATES = {
    "answers/year.html": '{% include "answers/_prompt.html" %}\n<label for="year">Year</label>\n'
                         '<input id="year" name="answer" inputmode="numeric" data-year-input>\n',
    "previews/year.html": '<p class="preview-prompt">{{ q.prompt }}</p><p data-year-preview>In {{ q.answer }}</p>\n',
}

BANK = """bank: 1
id: years
title: Years
sources:
  doc: {title: A document, file: doc.txt}
questions:
  - id: prc
    type: year
    prompt: In which year was the People's Republic of China proclaimed?
    answer: "1949"
    explanation: Mao proclaimed it on 1 October 1949.
"""


@pytest.fixture
def year_type(app, tmp_path):
    for name, text in TEMPLATES.items():
        (tmp_path / "tpl" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "tpl" / name).write_text(text)
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, FileSystemLoader(tmp_path / "tpl")])
    REGISTRY["year"] = Year()
    yield
    del REGISTRY["year"]


def _client(app, make_user, email: str, role: str):
    make_user(email, role=role)
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def test_a_new_type_works_end_to_end(app, make_user, year_type):
    app.config["IMPORT_RUNNER"] = "inline"
    teacher = _client(app, make_user, "teacher@example.com", "teacher")

    # Upload: checked by the type's own rules, previewed with its own template, saved.
    token = csrf_from(teacher.get("/teach/upload").get_data(as_text=True))
    bad = BANK.replace('answer: "1949"', 'answer: "late forties"')
    sent = teacher.post("/teach/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "fmt": "auto", "file": (io.BytesIO(bad.encode()), "years.yaml")})
    page = teacher.get(sent.headers["Location"]).get_data(as_text=True)
    assert "must be a year, such as 1949" in page
    token = csrf_from(teacher.get("/teach/upload").get_data(as_text=True))
    sent = teacher.post("/teach/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "fmt": "auto", "file": (io.BytesIO(BANK.encode()), "years.yaml")})
    url = sent.headers["Location"]
    page = teacher.get(url).get_data(as_text=True)
    assert "data-year-preview>In 1949<" in page
    assert teacher.post(url + "/save", data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "years"))
        bank_id, slug = bank.id, bank.slug

    # The editor: a form made from the type's editor fields, checked by the type's rules.
    edit = f"/teach/banks/{slug}/questions/prc/edit"
    form = teacher.get(edit).get_data(as_text=True)
    assert 'name="f_answer"' in form and "The year" in form
    fields = {"csrf_token": csrf_from(form), "key": "prc", "source": "", "difficulty": "",
              "f_prompt": "In which year was the People's Republic of China proclaimed?"}
    refused = teacher.post(edit, data={**fields, "f_answer": "soon"})
    assert refused.status_code == 400 and "must be a year" in refused.get_data(as_text=True).lower()

    # A student studies it: its own input, graded by its own rule, the feedback with the right answer.
    student = _client(app, make_user, "student@example.com", "student")
    _assign_to_new_class(teacher, student, bank_id)
    card = student.get(f"/study?bank={bank_id}").get_data(as_text=True)
    assert "data-year-input" in card
    form = fill_card_form(card)
    form["answer"] = "1950"
    answered = student.post("/study/answer", data=form, follow_redirects=True).get_data(as_text=True)
    assert "1949" in answered and "Mao proclaimed it" in answered
    with app.app_context():
        log = db.session.scalar(select(ReviewLog))
        assert log.score == 0.0 and log.answer == "1950"

    # The teacher's item statistics count its first answer.
    stats = teacher.get(f"/teach/banks/{slug}/stats?recalculate=1").get_data(as_text=True)
    assert "prc" in stats and 'data-testid="computed-at"' in stats

    # Exports: the native format carries it whole; formats that hold any type carry it back.
    exported = teacher.get(f"/teach/banks/{slug}/export/yaml")
    again = formats.parse(exported.get_data(), "years.yaml", "yaml")
    assert again.ok and again.bank.questions[0].type == "year"
    assert again.bank.questions[0].fields["answer"] == "1949"
    for fmt in formats.FORMATS:
        response = teacher.get(f"/teach/banks/{slug}/export/{fmt}")
        assert response.status_code == 200, fmt  # never a 500: a format that cannot hold it says so
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.key == "prc")).type == "year"
