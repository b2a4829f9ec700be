"""Saving banks: a bank renamed after an id clash stays editable, an admin updates a teacher's bank
as the upload preview promises, and ``flask bank check`` shows all a question holds and its notices."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from quizapp.banks.model import MAX_ID_CHARS
from quizapp.banks.model import Question as ParsedQuestion
from quizapp.extensions import db
from quizapp.models import Bank, ImportJob, User
from quizapp.models.types import utcnow
from quizapp.services import bank_edit, imports
from quizapp.services.bank_store import BankOwnershipError, bank_as_parsed, free_slug, save_bank


def bank_yaml(slug: str, back: str = "Chairman") -> bytes:
    return (f"bank: 1\nid: {slug}\ntitle: Demo\nquestions:\n"
            f"  - {{id: q1, type: flashcard, front: Mao, back: {back}}}\n").encode()


@pytest.fixture
def people(app, make_user):
    app.config["IMPORT_RUNNER"] = "inline"
    return {"ada": make_user("ada@example.com", role="teacher"), "bob": make_user("bob@example.com", role="teacher"),
            "root": make_user("root@example.com", role="admin")}


def upload_and_save(user_id: int, data: bytes) -> ImportJob:
    user = db.session.get(User, user_id)
    job = imports.start(user, "bank.yaml", data, {}, utcnow())
    db.session.refresh(job)
    assert job.status == "checked" and not imports.errors(job), job.result
    imports.request_save(job)
    db.session.refresh(job)
    assert job.status == "saved", job.result
    return job


def edit_first_question(slug: str, back: str) -> list:
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    _, issues = bank_edit.put_question(
        bank, ParsedQuestion("q1", "flashcard", {"front": "Mao", "back": back}), utcnow(), replacing="q1")
    return issues


@pytest.mark.parametrize("slug", ["demo", "d" * MAX_ID_CHARS, "e" * (MAX_ID_CHARS - 1)])
def test_a_bank_renamed_after_a_clash_stays_editable(app, people, slug):
    """Before: a 119- or 120-character id became ``<id>-2``, longer than any id may be, so every
    edit of the renamed bank was refused ("must be a short slug"), and PostgreSQL refused the save."""
    with app.app_context():
        upload_and_save(people["ada"], bank_yaml(slug))
        job = upload_and_save(people["bob"], bank_yaml(slug))
        renamed = job.result["slug"]
        assert renamed != slug and renamed.endswith("-2") and len(renamed) <= MAX_ID_CHARS
        assert any("will be saved as " + renamed in i["message"] for i in job.result["issues"])
        assert edit_first_question(renamed, "Party chairman") == []
        db.session.expire_all()
        stored = bank_as_parsed(db.session.scalar(select(Bank).where(Bank.slug == renamed)))
        assert stored.questions[0].fields["back"] == "Party chairman"
        # The first bank is untouched, and still editable too.
        assert edit_first_question(slug, "Chairman Mao") == []


def test_free_slug_skips_taken_variants_and_fits_the_column(app, people):
    with app.app_context():
        long = "x" * MAX_ID_CHARS
        for taken in (long, long[:-2] + "-2", long[:-2] + "-3"):
            db.session.add(Bank(slug=taken, title="T", owner_id=people["ada"]))
        db.session.commit()
        assert free_slug(long) == long[:-2] + "-4"
        assert free_slug("short") == "short-2"


def test_an_admin_updates_a_teachers_bank_as_the_preview_promises(app, people):
    """Before: the preview said "update" and the save failed with BankOwnershipError."""
    with app.app_context():
        upload_and_save(people["ada"], bank_yaml("history"))
        admin = db.session.get(User, people["root"])
        job = imports.start(admin, "bank.yaml", bank_yaml("history", back="Party chairman"), {}, utcnow())
        db.session.refresh(job)
        assert job.result["mode"] == "update" and job.result["slug"] == "history"
        imports.request_save(job)
        db.session.refresh(job)
        assert job.status == "saved", job.result
        bank = db.session.scalar(select(Bank).where(Bank.slug == "history"))
        assert bank.owner_id == people["ada"]  # still the teacher's bank
        assert bank_as_parsed(bank).questions[0].fields["back"] == "Party chairman"
        assert db.session.scalar(select(Bank.id).where(Bank.slug == "history-2")) is None


def test_another_teacher_still_cannot_overwrite_a_bank(app, people):
    with app.app_context():
        upload_and_save(people["ada"], bank_yaml("history"))
        parsed = bank_as_parsed(db.session.scalar(select(Bank).where(Bank.slug == "history")))
        with pytest.raises(BankOwnershipError):
            save_bank(parsed, now=utcnow(), owner=db.session.get(User, people["bob"]))
        db.session.rollback()
        # Nor may an admin turn a teacher's bank into a built-in one, or the reverse.
        with pytest.raises(BankOwnershipError):
            save_bank(parsed, now=utcnow(), owner=None, builtin=True)
        db.session.rollback()


# -- flask bank check ---------------------------------------------------------------------------

NUMERIC = """bank: 1
id: demo
title: Demo
questions:
  - id: year
    type: numeric
    prompt: In which year did Mao go to Moscow?
    answer: 1949
    tolerance: 1
    unit: AD
    feedback: Right, December 1949.
    alternatives:
      - {answer: 1950, weight: 0.5, feedback: That is the treaty's year.}
    source: doc
    evidence: Mao went to Moscow in December 1949.
    difficulty: easy
    x-reviewed-by: Ada
  - id: capital
    type: multiple_choice
    prompt: Where?
    choices: [Moscow, Beijing]
    answer: Moscow
    feedback: {Moscow: Yes., Beijing: 'No, that is home.'}
"""


def test_check_json_prints_everything_a_question_holds(runner, tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(NUMERIC, encoding="utf-8")
    result = runner.invoke(args=["bank", "check", "--json", str(path)])
    assert result.exit_code == 0, result.output
    year, capital = json.loads(result.stdout)
    assert year["tolerance"] == 1 and year["unit"] == "AD" and year["feedback"] == "Right, December 1949."
    assert year["alternatives"] == [{"answer": 1950, "weight": 0.5, "feedback": "That is the treaty's year."}]
    assert (year["source"], year["evidence"], year["difficulty"], year["x-reviewed-by"]) == (
        "doc", "Mao went to Moscow in December 1949.", "easy", "Ada")
    assert (year["prompt"], year["answers"]) == ("In which year did Mao go to Moscow?", 1949)
    assert capital["feedback"] == {"Moscow": "Yes.", "Beijing": "No, that is home."}


def test_check_prints_notices_as_well_as_errors(runner, tmp_path):
    gift = tmp_path / "demo.gift"
    gift.write_text("Just a description, with no answer block.\n\n::capital::Where? {=Moscow ~Beijing}\n",
                    encoding="utf-8")
    result = runner.invoke(args=["bank", "check", str(gift)])
    assert result.exit_code == 0, result.output
    assert "OK: 1 questions checked" in result.stdout
    notes = [line for line in result.stderr.splitlines() if line.startswith(str(gift))]
    assert notes and all(line.endswith(("[notice]", "[warning]", "[skipped]")) for line in notes), result.stderr
    assert "description" in result.stderr
    # An error is still an error: exit 1, and the notices are printed beside it.
    gift.write_text("Just a description.\n\n::capital::Where? {=Moscow ~Beijing}\n\n::bad::Which year? {#19x49}\n",
                    encoding="utf-8")
    failed = runner.invoke(args=["bank", "check", str(gift)])
    assert failed.exit_code == 1 and "description" in failed.stderr and "problem(s)" in failed.stderr
