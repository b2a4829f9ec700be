"""A class studying at once: 100 students (QUIZAPP_LOAD_STUDENTS) answer cards under gunicorn with
4 workers for 20 s (QUIZAPP_LOAD_SECONDS). Every acknowledged answer must be saved exactly once,
nothing may fail, and every card must be where replaying its log puts it.

Run: .venv/bin/pytest -m slow tests/reliability/test_load.py   (DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
"""
from __future__ import annotations

import pytest

from tests.reliability.harness import (
    Gunicorn,
    Ledger,
    deploy,
    figures,
    load_seconds,
    load_students,
    log_in_all,
    missing,
    run_load,
)

pytestmark = pytest.mark.slow


def test_a_class_answering_at_once_loses_nothing(tmp_path, capsys):
    deployment = deploy(tmp_path, load_students())
    server = Gunicorn(deployment).start()
    try:
        students = log_in_all(server.url, deployment.emails)
        tally = run_load(students, load_seconds())
    finally:
        server.stop()
    log = server.log()
    ledger = Ledger(deployment)
    try:
        counts = ledger.answer_counts()
        off = ledger.cards_off_their_log()
        cards = ledger.cards_answered()
    finally:
        ledger.close()
    acknowledged = [(email, cid) for email, cid, _ in tally.acknowledged]
    found = sum(1 for key in acknowledged if counts[key] >= 1)
    with capsys.disabled():
        print("\n" + figures("load", students=len(students), seconds=tally.seconds, sent=tally.sent,
                             acknowledged=len(acknowledged), found=found, errors=sum(tally.errors.values()),
                             server_errors=tally.server_errors, cards=cards,
                             answers_per_second=len(acknowledged) / tally.seconds))

    assert tally.server_errors == 0, tally.statuses
    assert server.logged_server_errors() == []
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]
    assert dict(tally.errors) == {}
    assert len(acknowledged) == tally.sent, "every answer sent is acknowledged"
    assert {email for email, _ in acknowledged} == set(deployment.emails), "no student was starved"
    assert missing(acknowledged, counts) == []
    assert all(counts[key] == 1 for key in acknowledged), "an answer was saved twice"
    assert sum(counts.values()) == len(acknowledged), "the database holds answers nobody sent"
    assert cards < len(acknowledged), "some cards were answered again, so replaying a log means something"
    assert off == [], off[:3]
