"""A gunicorn config for bench_review_loop.py --probe / --synchronous: where do the slow requests' milliseconds go?

It first loads the served tree's own gunicorn.conf.py ($QUIZAPP_GUNICORN_CONF, when there is one), so
the server is configured as `make serve` configures it, then adds in each worker, after that config's
own post_fork:
- with $QUIZAPP_PROBE_LOG: one line per garbage collection ("gc genN MS"), per wait for an answer's
  turn among the writers ("turn MS": services.write_turns) and how long it was held ("turn held MS":
  the write transaction, its commit and fsync included), and per wait for SQLite's write lock after
  it ("lock MS": services.writes.begin_write);
- with $QUIZAPP_BENCH_SYNCHRONOUS: SQLite's PRAGMA synchronous on every new connection (the app
  sets FULL; this is for measuring NORMAL against it).
Benchmarks only: it wraps the app's functions from outside, the app is not changed.
"""
from __future__ import annotations

import gc
import os
import time

_own = os.environ.get("QUIZAPP_GUNICORN_CONF", "")
if _own and os.path.exists(_own):
    with open(_own) as _fh:
        exec(compile(_fh.read(), _own, "exec"))  # noqa: S102 (the repository's own config)

_own_post_fork = globals().get("post_fork")


def post_fork(server, worker):
    if _own_post_fork is not None:
        _own_post_fork(server, worker)
    synchronous = os.environ.get("QUIZAPP_BENCH_SYNCHRONOUS")
    if synchronous:
        import sqlite3

        from sqlalchemy import Engine, event

        @event.listens_for(Engine, "connect")
        def _synchronous(dbapi_connection, connection_record):  # after the app's own pragmas
            if isinstance(dbapi_connection, sqlite3.Connection):
                dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

    if not os.environ.get("QUIZAPP_PROBE_LOG"):
        return
    log = open(os.environ["QUIZAPP_PROBE_LOG"], "a", buffering=1)  # noqa: SIM115 (lives as long as the worker)
    started: dict[str, float] = {}

    def on_gc(phase, info):
        if phase == "start":
            started["gc"] = time.perf_counter()
        elif "gc" in started:
            when = "" if worker.nr else " (worker starting)"  # importing the app, before any request
            log.write(f"gc gen{info['generation']}{when} {(time.perf_counter() - started['gc']) * 1e3:.3f}\n")

    gc.callbacks.append(on_gc)

    import contextlib

    from quizapp.services import answers, cards, writes

    begin_write = writes.begin_write
    write_turn = getattr(answers, "write_turn", None)  # an answer's turn among the writers (write_turns)

    def timed_begin_write():
        start = time.perf_counter()
        begin_write()
        log.write(f"lock {(time.perf_counter() - start) * 1e3:.3f}\n")

    @contextlib.contextmanager
    def timed_write_turn():
        start = time.perf_counter()
        with write_turn():
            got = time.perf_counter()
            log.write(f"turn {(got - start) * 1e3:.3f}\n")
            try:
                yield
            finally:  # the write transaction, commit (and its fsync) included
                log.write(f"turn held {(time.perf_counter() - got) * 1e3:.3f}\n")

    writes.begin_write = answers.begin_write = cards.begin_write = timed_begin_write
    if write_turn is not None:
        answers.write_turn = timed_write_turn
