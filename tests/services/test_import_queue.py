"""The upload job queue (quizapp/services/jobs.py): order, one running upload per teacher, recovery
after a dead worker, a clear failure after too many. A real worker process killed with SIGKILL is
tests/reliability/test_import_worker_crash.py."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import Bank, ImportJob, User
from quizapp.models.types import utcnow
from quizapp.services import imports, jobs

GIFT = "::a::Two and two? {=four ~five}\n\n::b::The sky is blue. {TRUE}\n"
TIMEOUT = timedelta(seconds=60)


@pytest.fixture
def teachers(app, make_user):
    return make_user("t1@example.com", role="teacher"), make_user("t2@example.com", role="teacher")


def _upload(owner_id: int, name: str, text: str = GIFT) -> int:
    owner = db.session.get(User, owner_id)
    return imports.start(owner, name, text.encode(), {}, utcnow()).id


def _job(job_id: int) -> ImportJob:
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_jobs_wait_in_order_and_a_teacher_has_one_running_at_a_time(app, teachers):
    t1, t2 = teachers
    with app.app_context():
        first, second, other = _upload(t1, "1.gift"), _upload(t1, "2.gift"), _upload(t2, "3.gift")
        now = utcnow()
        assert jobs.claim("w1", now) == first
        assert jobs.claim("w2", now) == other  # t1's second waits for the first, t2's goes ahead
        assert jobs.claim("w3", now) is None
        assert _job(second).status == "queued" and _job(second).worker is None
        imports.run(app, first)
        assert _job(first).status == "checked" and _job(first).worker is None and _job(first).action is None
        assert jobs.claim("w3", now) == second


def test_the_database_refuses_a_second_running_job_for_one_teacher(app, teachers):
    """What keeps two workers racing on PostgreSQL from running two of one teacher's uploads."""
    t1, _ = teachers
    with app.app_context():
        first, second = _upload(t1, "1.gift"), _upload(t1, "2.gift")
        assert jobs.claim("w1", utcnow()) == first
        with pytest.raises(IntegrityError):
            db.session.execute(update(ImportJob).where(ImportJob.id == second).values(worker="w2"))
            db.session.flush()
        db.session.rollback()


def test_an_in_process_worker_runs_one_teachers_uploads_one_after_the_other(app, teachers, monkeypatch):
    t1, t2 = teachers
    with app.app_context():
        ids = [_upload(t1, f"{i}.gift", GIFT.replace("::a::", f"::a{i}::")) for i in range(3)]
        other = _upload(t2, "other.gift")
    running: list[int] = []
    started: list[tuple[int, list[int]]] = []
    real_check = imports.check

    def watched(job_id: int) -> None:
        running.append(job_id)
        started.append((job_id, list(running)))
        time.sleep(0.1)
        try:
            real_check(job_id)
        finally:
            running.remove(job_id)

    monkeypatch.setattr(imports, "check", watched)
    jobs.Worker(app, threads=3, poll=0.01).run(once=True)
    with app.app_context():
        assert [_job(i).status for i in [*ids, other]] == ["checked"] * 4
    assert [job for job, _ in started if job in ids] == ids  # in upload order
    for job, alongside in started:  # never two of one teacher at once; the other teacher's may run beside
        assert len([j for j in alongside if j in ids]) <= 1, (job, alongside)
    assert any(other in alongside and len(alongside) == 2 for _, alongside in started)


def test_a_dead_workers_job_is_requeued_in_its_place_and_completes(app, teachers):
    t1, t2 = teachers
    with app.app_context():
        stuck, alive_elsewhere, timed_out = _upload(t1, "1.gift"), _upload(t2, "2.gift"), _upload(t2, "3.gift")
        now = utcnow()
        dead_here = f"{jobs._machine()}:{_dead_pid()}:abcd"
        assert jobs.claim(dead_here, now) == stuck
        # fresh heartbeat: left alone, even with a pid that does not exist here (another machine)
        assert jobs.claim(f"{socket.gethostname()}[1]:{_dead_pid()}:ab", now) == alive_elsewhere
        db.session.execute(update(ImportJob).where(ImportJob.id == stuck).values(status="checking", done=5))
        db.session.commit()
        assert jobs.recover("me", now, TIMEOUT, 3) == [(stuck, "requeued")]
        job = _job(stuck)
        assert (job.status, job.worker, job.done, job.action) == ("queued", None, 0, "check")
        # a worker on another host that stopped beating is gone too, after the timeout
        assert jobs.recover("me", now + TIMEOUT + timedelta(seconds=1), TIMEOUT, 3) == [(alive_elsewhere, "requeued")]
        assert _job(timed_out).worker is None
    jobs.Worker(app, threads=1, poll=0.01).run(once=True)
    with app.app_context():
        assert [_job(i).status for i in (stuck, alive_elsewhere, timed_out)] == ["checked"] * 3
        assert _job(stuck).attempts == 2


def test_a_job_that_keeps_killing_its_worker_fails_with_a_message(app, client, teachers):
    from tests.conftest import AuthActions

    t1, _ = teachers
    with app.app_context():
        job_id = _upload(t1, "poison.gift")
        for attempt in range(1, 4):
            assert jobs.claim(f"otherhost:{attempt}:x", utcnow()) == job_id
            outcome = jobs.recover("me", utcnow() + TIMEOUT * 2, TIMEOUT, 3)
            assert outcome == [(job_id, "requeued" if attempt < 3 else "failed")]
        job = _job(job_id)
        assert (job.status, job.action, job.worker, job.attempts) == ("failed", None, None, 3)
        assert jobs.claim("w", utcnow()) is None
    AuthActions(client).login("t1@example.com")
    page = client.get(f"/teach/imports/{job_id}").get_data(as_text=True)
    assert "The server stopped 3 times while checking this file" in page and "Nothing was saved" in page


def test_a_save_is_queued_once_and_run_by_the_worker(app, client, teachers):
    from tests.conftest import AuthActions, csrf_from

    t1, _ = teachers
    with app.app_context():
        job_id = _upload(t1, "1.gift")
    jobs.Worker(app, threads=1, poll=0.01).run(once=True)
    AuthActions(client).login("t1@example.com")
    url = f"/teach/imports/{job_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url + "/save", data={"csrf_token": token}).status_code == 302
    assert client.post(url + "/save", data={"csrf_token": token}).status_code == 409  # a double click
    status = client.get(url + "/status.json").get_json()
    assert status["status"] == "saving" and not status["stale"]
    jobs.Worker(app, threads=1, poll=0.01).run(once=True)
    with app.app_context():
        assert _job(job_id).status == "saved" and _job(job_id).action is None
        assert db.session.scalar(select(Bank.slug)) is not None


def test_a_waiting_job_nobody_picks_up_says_the_worker_seems_stopped(app, client, teachers):
    from tests.conftest import AuthActions

    t1, _ = teachers
    with app.app_context():
        job_id = _upload(t1, "1.gift")
        db.session.execute(update(ImportJob).where(ImportJob.id == job_id)
                           .values(updated_at=utcnow() - imports.STALE_AFTER - timedelta(seconds=1)))
        db.session.commit()
    AuthActions(client).login("t1@example.com")
    assert client.get(f"/teach/imports/{job_id}/status.json").get_json()["stale"] is True
    page = client.get(f"/teach/imports/{job_id}").get_data(as_text=True)
    assert "job worker seems to be stopped" in page and "Nothing has been saved yet" in page
