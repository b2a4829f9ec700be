"""An upload outlives kill -9: of the web server right after it took the upload, then of the job
worker (``flask jobs work``) in the middle of checking it. A new worker finds the job, runs it
again and the teacher saves it through a restarted server. Same code on SQLite and PostgreSQL.

Run: .venv/bin/pytest tests/reliability/test_import_worker_crash.py -rA | grep FIGURES
"""
from __future__ import annotations

import os
import signal
import subprocess
import time

from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from quizapp.config import normalise_database_url
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.imports import TEST_DELAY_VARIABLE
from tests.conftest import PASSWORD
from tests.reliability.harness import (
    BIN,
    ROOT,
    Deployment,
    Gunicorn,
    Student,
    empty_database,
    figures,
    hidden,
)

QUESTIONS = 40
DELAY = 0.25  # seconds per question while checking: 10 s, long enough to kill the worker mid-check
GIFT = "\n\n".join(f"::q{i}::In which year did event {i} happen? {{#{1900 + i}}}" for i in range(QUESTIONS))


def _deployment(tmp_path) -> Deployment:
    deployment = Deployment(empty_database(tmp_path), tmp_path, [])
    deployment.instance.mkdir(parents=True, exist_ok=True)
    deployment.flask("db", "upgrade")  # the migrations build the queue's columns and index
    app = deployment.app()
    with app.app_context():
        db.session.add(User(email="teacher@example.com", name="T", role="teacher",
                            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return deployment


def _worker(deployment: Deployment, delay: float, log_name: str) -> subprocess.Popen:
    env = {**deployment.env(), TEST_DELAY_VARIABLE: str(delay)}
    with open(deployment.folder / log_name, "ab") as log:
        return subprocess.Popen([str(BIN / "flask"), "--app", "quizapp", "jobs", "work", "--poll", "0.2"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _row(engine, job_id: int) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, action, worker, attempts, done, total, result "
                                      "FROM import_jobs WHERE id = :id"), {"id": job_id}).mappings().one())


def _wait(engine, job_id: int, until, seconds: float, what: str) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        row = _row(engine, job_id)
        if until(row):
            return row
        assert time.monotonic() < deadline, f"{what}: {row}"
        time.sleep(0.1)


def test_an_upload_survives_kill_9_of_the_web_server_and_of_the_worker(tmp_path, capsys):
    deployment = _deployment(tmp_path)
    engine = create_engine(normalise_database_url(deployment.database_url))
    server = Gunicorn(deployment, workers=2).start()
    workers: list[subprocess.Popen] = []
    try:
        teacher = Student(server.url, "teacher@example.com")
        teacher.login()
        form = teacher.request("GET", "/teach/upload").body
        took = teacher.request("POST", "/teach/upload", {"csrf_token": hidden(form, "csrf_token"), "fmt": "auto",
                                                          "text": GIFT})
        assert took.status == 302, took.body[:500]
        job_url = took.location
        job_id = int(job_url.rsplit("/", 1)[1])

        # 1. kill -9 the whole web server: the job is a row in the database, nothing is lost.
        server.kill()
        assert _row(engine, job_id)["status"] == "queued"

        # 2. a worker takes it; kill -9 it in the middle of checking.
        workers.append(_worker(deployment, DELAY, "worker1.log"))
        started = time.monotonic()
        first = _wait(engine, job_id, lambda r: r["worker"] and r["status"] == "checking" and r["total"], 60,
                      "the first worker never started checking")
        time.sleep(2)
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)
        killed_after = time.monotonic() - started
        left = _row(engine, job_id)
        assert left["status"] == "checking" and left["worker"] == first["worker"]  # as the dead worker left it

        # 3. a new worker sees the dead one's job at once (same host, its pid is gone), runs it again.
        restarted = time.monotonic()
        workers.append(_worker(deployment, 0, "worker2.log"))
        done = _wait(engine, job_id, lambda r: r["status"] in ("checked", "failed"), 60, "never rechecked")
        recovered_in = time.monotonic() - restarted
        assert done["status"] == "checked", done
        assert (done["action"], done["worker"], done["attempts"], done["done"]) == (None, None, 2, QUESTIONS)
        assert "requeued" in (deployment.folder / "worker2.log").read_text()

        # 4. the web server comes back; the same browser sees the preview and saves through the queue.
        server = Gunicorn(deployment, workers=2, port=server.port).start()
        status = teacher.request("GET", job_url + "/status.json")
        assert status.status == 200 and '"status":"checked"' in status.body.replace(" ", "")
        page = teacher.request("GET", job_url).body
        assert f"Save {QUESTIONS} questions" in page
        saving = teacher.request("POST", job_url + "/save", {"csrf_token": hidden(page, "csrf_token")})
        assert saving.status == 302, saving.body[:500]
        saved = _wait(engine, job_id, lambda r: r["status"] in ("saved", "failed"), 60, "never saved")
        assert saved["status"] == "saved", saved
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM questions")).scalar() == QUESTIONS
        with capsys.disabled():
            print("\n" + figures("import-worker-crash", questions=QUESTIONS,
                                  check_seconds_per_question=str(DELAY), worker_killed_after_s=killed_after,
                                  rechecked_by_new_worker_in_s=recovered_in, attempts=done["attempts"],
                                  questions_saved=QUESTIONS, web_killed_before_check="yes"))
    finally:
        server.stop()
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)
        engine.dispose()
