"""Anki packages through the database: an imported deck keeps its notes' guids in storage, so the
bank's export goes back to Anki as the same notes; and a bank exported as .apkg and uploaded over
itself keeps every question's type and learners' progress."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from quizapp.banks import formats
from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, Card, ImportJob, Question, User
from quizapp.services import answers, imports
from quizapp.services.bank_store import bank_as_parsed
from tests.banks.anki_support import Collection, add_note, export, import_package
from tests.factories import QUESTIONS, make_bank

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def upload_and_save(app, owner_id: int, data: bytes, name: str) -> ImportJob:
    with app.app_context():
        job = imports.start(db.session.get(User, owner_id), name, data, {}, NOW)
        imports.run(app, job.id)
        db.session.expire_all()
        job = db.session.get(ImportJob, job.id)
        assert imports.can_save(job), job.result.get("issues")
        imports.request_save(job)
        imports.run(app, job.id)
        db.session.expire_all()
        job = db.session.get(ImportJob, job.id)
        assert job.status == "saved", job.result
        return job


def test_a_deck_saved_here_and_exported_back_is_the_same_notes_in_anki(app, make_user, tmp_path):
    teacher = make_user("t@example.com", role="teacher")
    col = Collection(str(tmp_path / "mine.anki2"))
    try:
        add_note(col, "Basic", "China", Front="Capital?", Back="Beijing")
        add_note(col, "Basic (and reversed card)", "China", Front="河", Back="river")
        add_note(col, "Cloze", "China", Text="{{c1::Mao met {{c2::Stalin}} in Moscow}}")
        before = {col.get_note(n).guid: n for n in col.find_notes("")}
        upload_and_save(app, teacher, export(col, tmp_path / "mine.apkg"), "mine.apkg")
        with app.app_context():
            bank = db.session.scalar(select(Bank))
            stored = {q.key: q.data for q in bank.questions}
            assert sorted(d["anki"]["guid"] for d in stored.values()) == sorted(before)  # kept in storage
            package = formats.dump(bank_as_parsed(bank), "apkg")
        log = import_package(col, tmp_path, package, 1).log
        assert len(log.new) == 0
        assert {col.get_note(n).guid: n for n in col.find_notes("")} == before
    finally:
        col.close()


def test_an_apkg_export_uploaded_over_its_bank_keeps_types_and_progress(app, make_user):
    teacher = make_user("t@example.com", role="teacher")
    with app.app_context():
        owner = db.session.get(User, teacher)
        make_bank("demo", builtin=False, owner=owner)
        bank = db.session.scalar(select(Bank))
        types = {q.key: q.type for q in bank.questions}
        choice = next(q for q in bank.questions if q.type == "multiple_choice")
        answers.record_answer(owner, choice.id, 0, choice.data["answer"], "a1", now=NOW, rating=sched.GOOD)
        package = formats.dump(bank_as_parsed(bank), "apkg")
    job = upload_and_save(app, teacher, package, "demo.apkg")
    with app.app_context():
        assert job.result["mode"] == "update"
        assert job.result["summary"] == f"demo: 0 added, 0 changed (0 with a new answer: progress reset), 0 retired, " \
                                        f"{len(QUESTIONS)} unchanged"
        assert {q.key: q.type for q in db.session.scalars(select(Question))} == types  # no flashcards made
        card = db.session.scalar(select(Card))
        assert card.reps == 1  # the learner's progress stands
