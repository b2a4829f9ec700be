"""A small site with real objects owned by student A and teacher A, made through the real forms.

Teacher A uploads a bank (with a source document), leaves a second upload unsaved, makes a class,
assigns the bank; student A joins with the code, answers a question (a review log), starts a quiz
(an attempt) and a "study just these" session. Teacher B has a private bank of their own. Every
such object carries a marker string, so a page that leaks it can be caught.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import count

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Assignment, Bank, Classroom, Document, ImportJob, Media, Question, User
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank

ROLES = ("anonymous", "student_a", "student_b", "teacher_a", "teacher_b", "admin")
USERS = {  # role: (email, name, account role)
    "student_a": ("alice@example.com", "Alice Aardvark", "student"),
    "student_b": ("bob@example.com", "Bob Badger", "student"),
    "teacher_a": ("tess@example.com", "Tess Tessellate", "teacher"),
    "teacher_b": ("theo@example.com", "Theo Thornbury", "teacher"),
    "admin": ("root@example.com", "Ruth Root", "admin"),
}
STUDENT_A_ANSWER = "Aardvark-answer-7319"
BANK_TITLE = "Tessellated Secrets"
CLASS_NAME = "Tess Class Nine"
DOCUMENT = "tess-memo.txt"
TEACHER_B_BANK = "Thornbury Hidden Bank"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")

BANK_YAML = f"""bank: 1
id: tess-secrets
title: {BANK_TITLE}
description: Tess's private notes on tilings
sources:
  memo: {{title: Tess memo, file: {DOCUMENT}}}
questions:
  - id: who
    type: short_answer
    prompt: Which tessellation secret opens the vault?
    answers: [Penrose]
    source: memo
  - id: pick
    type: multiple_choice
    prompt: Pick the tessellation tile
    choices: [Rhombus, Circle]
    answer: Rhombus
  - id: card
    type: flashcard
    front: Tessellated front
    back: Tessellated back
"""
GIFT = "::other::Which tiling is aperiodic? {=Penrose ~Square}\n"


@dataclass
class World:
    app: Flask
    ids: dict[str, object]  # a value for every URL argument and form id of the URL map
    user_ids: dict[str, int]
    markers: dict[str, list[str]] = field(default_factory=dict)  # strings only that owner's pages may show
    _answers: count = field(default_factory=count)

    def client(self, role: str) -> FlaskClient:
        """A new browser, signed in as ``role`` (or not signed in, for "anonymous")."""
        browser = self.app.test_client()
        if role != "anonymous":
            assert AuthActions(browser).login(USERS[role][0]).status_code == 302, role
        return browser

    def fresh_id(self) -> str:
        """A new answer id for /study/answer (one answer is taken once per id)."""
        return f"sec-{next(self._answers)}"


def token(browser: FlaskClient) -> str:
    """A valid CSRF token of ``browser``'s session (signed in or not)."""
    for path in ("/account", "/login"):
        response = browser.get(path)
        if response.status_code == 200:
            return csrf_from(response.get_data(as_text=True))
    raise AssertionError("no page with a CSRF token")


def upload(browser: FlaskClient, data: bytes | str, filename: str, documents: dict[str, str] | None = None,
           csrf: str | None = None):
    payload = {"csrf_token": csrf or token(browser), "fmt": "auto",
               "file": (io.BytesIO(data.encode() if isinstance(data, str) else data), filename)}
    if documents:
        payload["documents"] = [(io.BytesIO(text.encode()), name) for name, text in documents.items()]
    return browser.post("/teach/upload", data=payload, content_type="multipart/form-data")


def upload_and_save(browser: FlaskClient, data: bytes | str, filename: str,
                    documents: dict[str, str] | None = None, csrf: str | None = None) -> str:
    """Uploads and saves a bank; the job's URL."""
    csrf = csrf or token(browser)
    response = upload(browser, data, filename, documents, csrf)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    job_url = response.headers["Location"]
    saved = browser.post(job_url + "/save", data={"csrf_token": csrf})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:800]
    return job_url


def build_world(app: Flask, make_user) -> World:
    user_ids = {role: make_user(email, role=kind, name=name) for role, (email, name, kind) in USERS.items()}
    world = World(app, {}, user_ids)
    teacher = world.client("teacher_a")
    csrf = token(teacher)
    upload_and_save(teacher, BANK_YAML, "tess.yaml", {DOCUMENT: "Penrose tiles open the vault."}, csrf)
    unsaved = upload(teacher, GIFT, "other.gift", csrf=csrf)
    assert unsaved.status_code == 302
    created = teacher.post("/teach/classes/new", data={"csrf_token": csrf, "name": CLASS_NAME})
    class_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "tess-secrets"))
        bank_id = bank.id
        db.session.add(Media(bank_id=bank_id, name="pic.png", content_type="image/png", data=PNG))
        db.session.commit()
        make_bank("thornbury", title=TEACHER_B_BANK, builtin=False,
                  owner=db.session.get(User, user_ids["teacher_b"]))
    assigned = teacher.post(f"/teach/classes/{class_id}/assign", data={"csrf_token": csrf, "bank": bank_id})
    assert assigned.status_code == 302
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
        question_id = db.session.scalar(select(Question.id).where(Question.bank_id == bank_id,
                                                                  Question.key == "who"))
    student = world.client("student_a")
    csrf = token(student)
    joined = student.post("/join", data={"csrf_token": csrf, "code": code})
    assert joined.status_code == 302
    answered = student.post("/study/answer", data={
        "csrf_token": csrf, "question_id": question_id, "ordinal": 0, "client_id": "alice-1",
        "answer": STUDENT_A_ANSWER, "rating": 1})
    log_id = int(re.fullmatch(r"/study/answered/(\d+)", answered.headers["Location"]).group(1))
    quiz = student.post("/quiz", data={"csrf_token": csrf, "bank": bank_id, "size": 2})
    attempt_id = int(re.fullmatch(r"/quiz/(\d+)", quiz.headers["Location"]).group(1))
    focus = student.post("/progress/focus", data={"csrf_token": csrf, "question": question_id})
    assert focus.headers["Location"] == "/study"
    with app.app_context():
        world.ids = {
            # teacher A's objects (the export as GIFT, which is text: the bank has an image, so its
            # YAML export is a zip of the bank and its media)
            "slug": "tess-secrets", "key": "who", "type_name": "flashcard", "fmt": "gift", "class_id": class_id,
            "user_id": user_ids["student_a"], "code": code, "bank_id": bank_id, "name": "pic.png",
            "job_id": db.session.scalar(select(ImportJob.id).where(ImportJob.status != "saved")),
            "document_id": db.session.scalar(select(Document.id).where(Document.bank_id == bank_id)),
            "assignment_id": db.session.scalar(select(Assignment.id).where(Assignment.class_id == class_id)),
            # student A's objects
            "log_id": log_id, "attempt_id": attempt_id, "question_id": question_id, "ordinal": 0,
            "action": "suspend",
            # the app's own files
            "filename": "css/app.css",
            # an emailed link's token (none valid: the links' own tests use real ones)
            "token": "not-a-valid-token",
        }
    assert all(v is not None for v in world.ids.values()), world.ids
    world.markers = {
        "student_a": [USERS["student_a"][0], USERS["student_a"][1], STUDENT_A_ANSWER],
        "teacher_a": [BANK_TITLE, "tessellation secret", DOCUMENT, CLASS_NAME, code],
        "teacher_b": [TEACHER_B_BANK],
        "student_b": [USERS["student_b"][1]],
    }
    return world
