"""Power cut in the middle of a class: SIGKILL to gunicorn's master and every worker while 100
students answer. After a restart the database must be intact and hold every answer the server
had acknowledged, each card where its log puts it, and the app must serve again.

Run: .venv/bin/pytest -m slow tests/reliability/test_crash.py   (DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
"""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing

import pytest

from tests.conftest import POSTGRES
from tests.reliability.harness import (
    ANSWERED,
    Gunicorn,
    Ledger,
    Tally,
    deploy,
    figures,
    in_background,
    load_seconds,
    load_students,
    log_in_all,
    missing,
    run_load,
)

pytestmark = pytest.mark.slow


def test_sigkill_mid_load_loses_no_acknowledged_answer(tmp_path, capsys):
    deployment = deploy(tmp_path, load_students())
    server = Gunicorn(deployment).start()
    try:
        students = log_in_all(server.url, deployment.emails)
        stop, tally = threading.Event(), Tally()
        thread, _ = in_background(run_load, students, load_seconds(), stop, tally)
        # Mid-load: half the time gone and every student served once (the first round is slow
        # while 100 students queue for 4 workers), but never after the loops would end.
        start = time.monotonic()
        while time.monotonic() - start < 0.9 * load_seconds() and (
                time.monotonic() - start < load_seconds() / 2 or len(tally.acknowledged) < len(students)):
            time.sleep(0.1)
        killed_at = time.monotonic()
        killed = server.kill()
        stop.set()  # the students give up; their loops end
        thread.join()
    finally:
        server.stop()
    log_before = server.log()
    acknowledged = tally.acknowledged_before(killed_at + 1)  # the server is gone: nothing later can exist
    assert len(acknowledged) == len(tally.acknowledged)

    server = Gunicorn(deployment, port=server.port).start()  # same address: the students' browsers carry on
    try:
        if not POSTGRES:
            with closing(sqlite3.connect(deployment.sqlite_path)) as conn:
                integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        ledger = Ledger(deployment)
        try:
            counts = ledger.answer_counts()
            off = ledger.cards_off_their_log()
        finally:
            ledger.close()
        # Serving again: a student logged in before the crash answers without logging in again.
        student = students[0]
        student.tally = None
        form = student.answer_form()
        assert form is not None, "the student has a card to answer"
        after = student.request("POST", "/study/answer", form)
    finally:
        server.stop()
    found = sum(1 for key in acknowledged if counts[key])
    lost_in_flight = tally.sent - len(acknowledged)
    with capsys.disabled():
        print("\n" + figures("crash", students=len(students), seconds=killed_at - tally.started,
                             processes_killed=len(killed), sent=tally.sent,
                             acknowledged=len(acknowledged), found=found, unacknowledged=lost_in_flight,
                             in_database=sum(counts.values()),
                             connection_errors=sum(tally.errors.values()), server_errors=tally.server_errors,
                             integrity="n/a" if POSTGRES else integrity))

    assert len(killed) == 5, "the master and its 4 workers"
    if not POSTGRES:
        assert integrity == "ok"
    assert len(acknowledged) > 0
    assert missing(acknowledged, counts) == [], "every acknowledged answer survived the crash"
    assert all(n == 1 for n in counts.values())
    assert sum(counts.values()) <= tally.sent, "nothing in the log that was never sent"
    assert off == [], off[:3]
    assert tally.server_errors == 0, tally.statuses
    # What a browser sees of a dead server, and nothing else (no 4xx, no harness error).
    assert all(kind in {"ConnectionRefusedError", "ConnectionResetError", "BrokenPipeError", "RemoteDisconnected",
                        "BadStatusLine", "IncompleteRead"} for kind in tally.errors), tally.errors
    assert "database is locked" not in log_before
    assert server.logged_server_errors() == [], "no 5xx before the crash or after the restart"
    assert after.status == 302 and ANSWERED.match(after.location), (after.status, after.body[:300])
