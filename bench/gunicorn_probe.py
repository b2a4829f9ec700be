"""A gunicorn config for bench_review_loop.py --probe: where do the slow requests' milliseconds go?

Each worker appends to $QUIZAPP_PROBE_LOG one line per garbage collection ("gc genN MS") and per
wait for the database write lock ("lock MS": services.writes.begin_write, which the answer path
takes). Benchmarks only: it wraps the app's functions from outside, the app is not changed.
"""
from __future__ import annotations

import gc
import os
import time


def post_fork(server, worker):
    log = open(os.environ["QUIZAPP_PROBE_LOG"], "a", buffering=1)  # noqa: SIM115 (lives as long as the worker)
    started: dict[str, float] = {}

    def on_gc(phase, info):
        if phase == "start":
            started["gc"] = time.perf_counter()
        elif "gc" in started:
            log.write(f"gc gen{info['generation']} {(time.perf_counter() - started['gc']) * 1e3:.3f}\n")

    gc.callbacks.append(on_gc)

    from quizapp.services import answers, cards, writes

    begin_write = writes.begin_write

    def timed_begin_write():
        start = time.perf_counter()
        begin_write()
        log.write(f"lock {(time.perf_counter() - start) * 1e3:.3f}\n")

    writes.begin_write = answers.begin_write = cards.begin_write = timed_begin_write
