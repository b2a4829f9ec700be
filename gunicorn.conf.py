"""gunicorn settings for `make serve` (bench/bench_review_loop.py serves with them too).

Only the garbage collector is tuned here; workers, bind address and logging stay on the command line.

A warm worker holds about 100,000 long-lived objects: modules, the app, SQLAlchemy's mappers and
compiled statements, Jinja's templates, the parsed-question and passage caches. Python's full
collection walks all of them, 60 to 110 ms measured on this app (docs/performance.md), and it lands
on whichever request happens to trigger it: that was the study answer's p99. After the worker's
first requests have built those objects, ``gc.freeze()`` moves them to a permanent generation that
no collection walks; what requests make and drop is still collected as before. A second freeze
later takes in what the first pages did not build yet (more templates, more cached questions).
The young generation's threshold is raised so that a request's own short-lived objects, most of
them freed by reference counting anyway, trigger fewer collections.
"""
from __future__ import annotations

import gc

# Requests of a worker after which what it holds is frozen.
FREEZE_AFTER = (50, 1000)
GC_THRESHOLD = (10_000, 20, 20)


def post_worker_init(worker):
    """The app is loaded: freeze it (its modules and objects), and use the tuned thresholds."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def post_request(worker, req, environ, resp):
    # No collection first: it would be the very pause this avoids, on this worker's next request.
    # The few cyclic leftovers of the requests so far stay frozen, and are never freed (a few KB).
    if worker.nr in FREEZE_AFTER:
        gc.freeze()
