"""``flask db backup FILE``: a consistent, self-contained copy of the SQLite database, made while
the app serves; a clear refusal on any other database. The slow test backs up under load and
restores the copy the way docs/reliability.md tells an operator to.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import ReviewLog
from quizapp.models.types import utcnow
from quizapp.services import answers, catalog, study_queue
from quizapp.services.accounts import create_user
from tests.answers import response_for
from tests.conftest import PASSWORD, POSTGRES
from tests.factories import make_bank
from tests.reliability.harness import (
    Gunicorn,
    Ledger,
    Student,
    deploy,
    empty_database,
    figures,
    in_background,
    load_seconds,
    load_students,
    log_in_all,
    missing,
    run_load,
)


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file whatever DATABASE_URL says: the command is about SQLite files."""
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}"},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        make_bank()
        user = create_user("ada@example.com", PASSWORD)
        db.session.commit()
        pick = study_queue.next_card(user, sorted(catalog.accessible_bank_ids(user)), utcnow())
        for n in range(3):
            answers.record_answer(user, pick.question.id, pick.ordinal, response_for(pick.question, pick.ordinal),
                                f"answer-{n}", now=utcnow(), rating=3)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_is_a_self_contained_copy_with_every_row(sqlite_app, tmp_path):
    target = tmp_path / "backups" / "quizapp.db"
    target.parent.mkdir()
    target.write_bytes(b"last week's backup")

    result = sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(target)])

    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output
    assert sorted(p.name for p in target.parent.iterdir()) == ["quizapp.db"], "no temporary file left behind"
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",), "readable without a -wal file"
        assert sorted(r[0] for r in copy.execute("SELECT client_id FROM review_logs")) == [
            "answer-0", "answer-1", "answer-2"]
        assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 9
    finally:
        copy.close()
    assert target.stat().st_mode & 0o077 == 0, "the copy holds password hashes: owner-only"


def test_a_restored_backup_is_what_the_app_reads(sqlite_app, tmp_path):
    target = tmp_path / "backup.db"
    assert sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(target)]).exit_code == 0
    with sqlite_app.app_context():
        db.session.execute(text("DELETE FROM review_logs"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # the app is stopped for a restore
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"live.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(target, tmp_path / "live.db")
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 3


def test_backup_refuses_postgresql_and_names_pg_dump(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://quiz:s3cret@db.example/quiz"},
                     instance_path=str(tmp_path / "instance"))
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert "not SQLite" in result.stderr and "pg_dump" in result.stderr
    assert "s3cret" not in result.output, "the password is not printed"
    assert not (tmp_path / "b.db").exists()


def test_backup_refuses_to_overwrite_the_database_itself(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "live.db")])
    assert result.exit_code == 1 and "must not be the database itself" in result.stderr
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count(ReviewLog.id))) == 3


# -- under load --------------------------------------------------------------------------------
def pg_tool_url(url: str) -> str:
    """libpq's form of a SQLAlchemy URL (no +driver)."""
    parts = urlsplit(url)
    return parts._replace(scheme="postgresql").geturl()


@pytest.mark.slow
def test_backup_while_students_answer_then_restore(tmp_path, capsys):
    deployment = deploy(tmp_path, load_students())
    server = Gunicorn(deployment).start()
    target = tmp_path / ("backup.db" if not POSTGRES else "backup.dump")
    try:
        students = log_in_all(server.url, deployment.emails)
        thread, box = in_background(run_load, students, load_seconds())
        time.sleep(load_seconds() / 2)
        started = time.monotonic()  # every answer acknowledged before this must be in the backup
        if POSTGRES:  # the documented PostgreSQL procedure: pg_dump, a consistent snapshot of a live database
            backup = subprocess.run(["pg_dump", "-Fc", "-f", str(target), pg_tool_url(deployment.database_url)],
                                    capture_output=True, text=True, timeout=300)
        else:
            backup = deployment.flask("db", "backup", str(target), check=False)
        backup_seconds = time.monotonic() - started
        thread.join()
        tally = box[0]
    finally:
        server.stop()
    assert backup.returncode == 0, backup.stderr
    before = tally.acknowledged_before(started)

    # Restore, as docs/reliability.md says: app stopped, the copy put in place, app started.
    if POSTGRES:
        empty_database(tmp_path)
        restore = subprocess.run(["pg_restore", "--no-owner", "-d", pg_tool_url(deployment.database_url),
                                  str(target)], capture_output=True, text=True, timeout=300)
        assert restore.returncode == 0, restore.stderr
    else:
        live = deployment.sqlite_path
        for suffix in ("-wal", "-shm"):
            live.with_name(live.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(target, live)
        with closing(sqlite3.connect(live)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    ledger = Ledger(deployment)
    try:
        counts = ledger.answer_counts()
        off = ledger.cards_off_their_log()
    finally:
        ledger.close()
    acknowledged = [(email, cid) for email, cid, _ in tally.acknowledged]
    found_before = sum(1 for key in before if counts[key])
    with capsys.disabled():
        print("\n" + figures("backup", students=len(students), seconds=tally.seconds, sent=tally.sent,
                             acknowledged=len(acknowledged), acknowledged_before_backup=len(before),
                             found=found_before, in_backup=sum(counts.values()), errors=sum(tally.errors.values()),
                             backup_seconds=backup_seconds))
    assert dict(tally.errors) == {} and tally.server_errors == 0, tally.errors
    assert len(before) > 0
    assert missing(before, counts) == [], "answers acknowledged before the backup began are in it"
    assert sum(counts.values()) <= len(acknowledged)
    assert off == [], "the backup is a consistent snapshot: each card matches its log"

    # The restored database serves: a student logs in again and answers.
    server = Gunicorn(deployment).start()
    try:
        student = Student(server.url, deployment.emails[0])
        student.login()
        form = student.answer_form()
        assert form is not None, "the student has a card to answer"
        response = student.request("POST", "/study/answer", form)
        assert response.status == 302
    finally:
        server.stop()
    assert "database is locked" not in server.log()
    assert server.logged_server_errors() == []
