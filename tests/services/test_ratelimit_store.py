"""The database:// rate-limit store: one count shared by every process (quizapp/ratelimit.py)."""
from __future__ import annotations

import multiprocessing
import time

from quizapp import create_app
from quizapp.extensions import db, limiter
from quizapp.ratelimit import DatabaseStorage

HITS_PER_PROCESS = 50
PROCESSES = 4


def _hammer(url: str, instance: str, queue) -> None:
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    with app.app_context():
        store = DatabaseStorage("database://")
        queue.put([store.incr("shared", 60) for _ in range(HITS_PER_PROCESS)])
        db.engine.dispose()


def test_the_default_store_is_the_database(app):
    with app.app_context():
        assert isinstance(limiter.storage, DatabaseStorage)


def test_counts_expire_and_clear(app):
    with app.app_context():
        store = DatabaseStorage("database://")
        assert [store.incr("k", 1), store.incr("k", 1)] == [1, 2]
        assert store.get("k") == 2 and store.get_expiry("k") > time.time()
        time.sleep(1.05)
        assert store.get("k") == 0 and store.incr("k", 1) == 1  # a new window
        store.clear("k")
        assert store.get("k") == 0 and store.check()


def test_four_processes_share_one_count(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_hammer, args=(url, str(tmp_path / "instance"), queue))
               for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    seen = [n for _ in workers for n in queue.get(timeout=120)]
    for w in workers:
        w.join(30)
        assert w.exitcode == 0
    # Every hit got its own number: no two processes read the same count (no lost update).
    assert sorted(seen) == list(range(1, PROCESSES * HITS_PER_PROCESS + 1))
    with app.app_context():
        assert DatabaseStorage("database://").get("shared") == PROCESSES * HITS_PER_PROCESS
