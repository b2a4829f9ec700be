"""Answers take turns for SQLite's write lock in the kernel, not in SQLite's busy handler.

SQLite has one writer at a time. A connection that finds the lock taken sleeps and tries again, in
steps that grow to 100 ms (its default busy handler), so under load a waiting answer can miss many
free moments while others slip in: waits of seconds were measured with 50 students answering
(docs/performance.md). Here each answer first takes an exclusive ``flock`` on a file beside the
database, held until its transaction ends: the kernel queues the waiters and wakes the next one as
soon as the lock is let go, and by then SQLite's own lock is free. Writers that do not take a turn
(imports, account changes) still meet SQLite's lock and busy handler as before. A process that dies
holding its turn loses it with its file descriptor. PostgreSQL locks rows and needs none of this.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from ..extensions import db

# One descriptor per process and database file (a forked worker opens its own: an inherited one would
# share its parent's lock); the threads of one process take turns on a thread lock first, as flock
# does not tell them apart.
_fds: dict[tuple[int, str], int] = {}
_threads = threading.Lock()


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Waits for this process's turn to write to the SQLite file (nothing on other databases)."""
    fd = _lock_fd()
    if fd is None:
        yield
        return
    with _threads:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _lock_fd() -> int | None:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    key = (os.getpid(), url.database + "-writers.lock")
    fd = _fds.get(key)
    if fd is None:
        with _threads:
            fd = _fds.get(key)
            if fd is None:
                fd = _fds[key] = os.open(key[1], os.O_RDWR | os.O_CREAT, 0o600)
    return fd
