"""The upload preview over an existing bank says, before saving, which questions change type or
right answer and how many learners then start them afresh; what it says is what the save does.
A CSV exported with its types reads back with no change at all; the reader's separators given
with an upload are kept for its save and its re-check."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from quizapp.banks import formats
from quizapp.extensions import db
from quizapp.models import Bank, Card, ImportJob, Question, User
from quizapp.models.reviews import NEW, REVIEW
from quizapp.models.types import utcnow
from quizapp.services import imports
from quizapp.services.bank_store import bank_as_parsed
from tests.factories import QUESTIONS, make_bank


@pytest.fixture
def world(app, make_user):
    """A teacher's bank of every type; Ada and Ben have studied 'capital', Ada 'year', Cy only saw 'members'."""
    app.config["IMPORT_RUNNER"] = "inline"
    teacher_id = make_user("teacher@example.com", role="teacher")
    learners = [make_user(f"{n}@example.com") for n in ("ada", "ben", "cy")]
    with app.app_context():
        owner = db.session.get(User, teacher_id)
        make_bank(owner=owner, builtin=False)
        q = {row.key: row.id for row in db.session.scalars(select(Question))}
        ada, ben, cy = learners
        for user, key, reps in ((ada, "capital", 3), (ben, "capital", 1), (ada, "year", 2), (cy, "members", 0)):
            db.session.add(Card(user_id=user, question_id=q[key], state=REVIEW if reps else NEW, reps=reps,
                                stability=5.0 if reps else None))
        db.session.commit()
    return teacher_id


def _export(app, fmt: str = "csv") -> bytes:
    with app.app_context():
        return formats.dump(bank_as_parsed(db.session.scalar(select(Bank).where(Bank.slug == "demo"))), fmt)


def _upload(app, teacher_id: int, data: bytes, name: str = "demo.csv", **options) -> ImportJob:
    with app.app_context():
        job = imports.start(db.session.get(User, teacher_id), name, data, {}, utcnow(), options=options or None)
        db.session.expire_all()
        return db.session.get(ImportJob, job.id)


def _warnings(job: ImportJob) -> list[tuple[str | None, str]]:
    """The warnings about progress (the lint's own warnings about the questions aside)."""
    return [(i["question"], i["message"]) for i in job.result["issues"]
            if i["level"] == "warning" and "afresh" in i["message"]]


def _without_types(data: bytes) -> bytes:
    """The export as it was before the Type and Data columns: typed questions come back as flashcards."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [r[:6] if r and not r[0].startswith("#") else r for r in rows if not (r and r[0].startswith("#columns"))])
    return out.getvalue().encode()


def test_a_csv_exported_with_its_types_reimports_with_no_change_and_no_warning(app, world):
    for fmt in ("csv", "tsv"):
        job = _upload(app, world, _export(app, fmt), f"demo.{fmt}")
        assert job.status == "checked" and imports.errors(job) == [] and _warnings(job) == []
        assert [q["type"] for q in job.result["questions"]] == [q["type"] for q in QUESTIONS]
    with app.app_context():
        imports.request_save(db.session.get(ImportJob, job.id))
        db.session.expire_all()
        assert db.session.get(ImportJob, job.id).result["summary"].endswith(
            "0 added, 0 changed (0 with a new answer: progress reset), 0 retired, 9 unchanged")
        assert db.session.scalar(select(Card.reps).join(Question).where(Question.key == "capital",
                                                                       Card.reps == 3)) == 3


def test_the_preview_warns_of_each_type_change_with_the_learners_who_restart(app, world):
    job = _upload(app, world, _without_types(_export(app)))
    warnings = dict(_warnings(job))
    assert warnings["capital"] == ("its type changes from multiple choice to flashcard: on saving, 2 learners "
                                   "start this question afresh")
    assert warnings["year"] == "its type changes from number to flashcard: on saving, 1 learner starts this " \
                               "question afresh"
    assert warnings["members"] == ("its type changes from multiple select to flashcard: on saving, no learner has "
                                   "answered, so nobody starts this question afresh")
    assert "card" not in warnings and "cloze" not in warnings  # flashcards and clozes stay what they were
    summary = warnings[None]
    assert summary.startswith("saving changes the type or right answer of 7 questions of the bank: 2 learners "
                              "start at least one of them afresh")
    assert "7 turn into flashcards" in summary and "Export the bank as YAML or CSV again" in summary
    assert imports.can_save(job)  # a warning, not an error: the teacher decides
    # What the preview said is what the save does.
    with app.app_context():
        imports.request_save(db.session.get(ImportJob, job.id))
        capital = db.session.scalar(select(Question).where(Question.key == "capital"))
        assert capital.type == "flashcard" and capital.version == 2
        assert set(db.session.scalars(select(Card.reps).where(Card.question_id == capital.id))) == {0}


def test_the_preview_warns_of_a_changed_right_answer(app, world):
    rows = list(csv.reader(io.StringIO(_export(app).decode())))
    for row in rows:
        if row and row[0] == "quizapp:demo/capital":
            row[7] = row[7].replace('"answer":"Moscow"', '"answer":"Beijing"')
            row[3] = "Beijing"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    job = _upload(app, world, out.getvalue().encode())
    assert imports.errors(job) == []
    assert _warnings(job)[1:] == [("capital", "its right answer changes: on saving, 2 learners start this question "
                                              "afresh")]


def test_a_new_bank_has_nothing_to_warn_of(app, world):
    data = _export(app).replace(b"quizapp:demo/", b"quizapp:fresh/")
    job = _upload(app, world, data)
    assert job.result["slug"] == "fresh" and _warnings(job) == []


def test_the_separators_given_are_kept_for_the_save_and_the_recheck(app, world):
    quizlet = b"un - {one}; deux - two, zwei; trois - three"
    job = _upload(app, world, quizlet, "pasted.txt", separator=" - ", card_separator=";")
    assert job.result["format"] == "csv" and job.result["options"] == {"separator": " - ", "card_separator": ";"}
    assert [(q["front"], q["back"]) for q in job.result["questions"]] == [
        ("un", "{one}"), ("deux", "two, zwei"), ("trois", "three")]
    with app.app_context():
        again = imports.start(db.session.get(User, world), job.filename, quizlet + b"; quatre - four", {}, utcnow(),
                              replaces=db.session.get(ImportJob, job.id))
        db.session.expire_all()
        again = db.session.get(ImportJob, again.id)
        assert again.result["count"] == 4
        imports.request_save(again)
        db.session.expire_all()
        assert db.session.get(ImportJob, again.id).status == "saved"
        assert db.session.scalar(select(Question.data).where(Question.key == "quatre"))["back"] == "four"


def test_separators_for_a_format_that_takes_none_are_refused(app, world):
    with app.app_context(), pytest.raises(imports.UploadError, match="separators are for CSV/TSV files"):
        imports.start(db.session.get(User, world), "q.gift", b"Q? {=a ~b}", {}, utcnow(), fmt="gift",
                      options={"separator": ";"})
