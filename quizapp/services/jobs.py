"""The upload job queue: jobs live in the database, a worker process runs them.

``flask --app quizapp jobs work`` runs beside the web server (``make run`` and ``make serve``
start and stop it, ``scripts/with-worker.sh``). The web process only writes a job row and
answers; the worker claims the oldest waiting job, checks or saves it (quizapp/services/imports.py)
and writes the outcome to the same row, which the progress page reads. A restart of the web
process therefore loses nothing, and a worker that dies is noticed and its job run again.

Why the ``import_jobs`` table and not huey, RQ or Celery: the table already holds everything a
job needs (the uploaded bytes, documents, progress, result) and the page already reads it, so a
second store would only have to be kept in step with it. A queue library would add a dependency
and a second store per database (huey's SQLite file beside ``instance/quizapp.db``, but Redis or
a separate table layout on PostgreSQL), where this is one portable ``UPDATE`` on both databases.
What the queue needs and how it is done here:

- **State**: ``action`` is the work still to do (``check``/``save``, None when finished),
  ``worker`` who runs it (None while it waits), ``heartbeat_at`` that worker's last sign of life,
  ``attempts`` how many times it has been started.
- **Claim**: ``UPDATE import_jobs SET worker=me ... WHERE id = (the oldest waiting job whose owner
  has no running job) AND worker IS NULL RETURNING id``. On SQLite the statement runs under the
  database's single write lock, so it is atomic; on PostgreSQL a second worker racing for the
  same row blocks, re-reads ``worker IS NULL`` and updates nothing. Racing for two jobs of one
  teacher fails on a partial unique index (``owner_id WHERE worker IS NOT NULL``), so **at most
  one upload per teacher runs**, with any number of workers; the others wait in id order.
- **Crash**: the worker's heartbeat thread stamps its running jobs every ``IMPORT_HEARTBEAT_SECONDS``.
  A job whose worker has not stamped it for ``IMPORT_WORKER_TIMEOUT_SECONDS``, or whose worker was
  a process on this host that no longer exists (checked at once, so a restarted worker resumes
  straight away), is put back in the queue at its old place, or failed with a message saying so
  after ``IMPORT_MAX_ATTEMPTS`` starts (a file that kills the worker every time must not loop).
  A check starts again from the beginning (it writes nothing but the job row); a save is one
  transaction, so a crash mid-save leaves nothing half-saved and the save simply runs again.
- **Finishing** clears ``action`` and ``worker`` in the transaction that writes the result, so a
  job is never both finished and runnable.

Known limit: a worker that is alive but stalled past the timeout (a save that holds SQLite's
write lock longer than ``IMPORT_WORKER_TIMEOUT_SECONDS``) could see its job started by another
worker; one worker process (what ``make`` starts) never does that to itself.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import ImportJob
from ..models.imports import ImportStatus
from ..models.types import utcnow

log = logging.getLogger(__name__)


def _machine() -> str:
    """This host and PID namespace: pids mean the same process only within both (two containers
    may share a host name, e.g. with host networking, but never a PID namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").removeprefix("pid:")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()[:60]}{namespace}".replace(":", "_")


def worker_name() -> str:
    """``machine:pid:random``: a worker on the same machine sees at once that another one is gone."""
    return f"{_machine()}:{os.getpid()}:{secrets.token_hex(4)}"


def _gone_here(worker: str) -> bool:
    """True when ``worker`` was a process on this host that no longer runs."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdecimal():
        return False
    host, pid = parts[0], int(parts[1])
    if host != _machine() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(worker: str, now: datetime) -> int | None:
    """Takes the oldest waiting job whose owner has nothing running; its id, or None. Commits."""
    waiting, running = aliased(ImportJob), aliased(ImportJob)
    busy = select(running.id).where(running.owner_id == waiting.owner_id, running.worker.is_not(None)).exists()
    oldest = (select(waiting.id).where(waiting.action.is_not(None), waiting.worker.is_(None), ~busy)
              .order_by(waiting.id).limit(1).scalar_subquery())
    stmt = (update(ImportJob).where(ImportJob.id == oldest, ImportJob.worker.is_(None))
            .values(worker=worker, heartbeat_at=now, attempts=ImportJob.attempts + 1)
            .returning(ImportJob.id).execution_options(synchronize_session=False))
    try:
        job_id = db.session.execute(stmt).scalar()
        db.session.commit()
    except IntegrityError:  # another worker took this owner's other job at the same moment
        db.session.rollback()
        return None
    return job_id


def heartbeat(worker: str, now: datetime) -> None:
    db.session.execute(update(ImportJob).where(ImportJob.worker == worker).values(heartbeat_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def recover(me: str, now: datetime, timeout: timedelta, max_attempts: int) -> list[tuple[int, str]]:
    """Re-queues (or fails, past ``max_attempts``) the jobs of workers that are gone. Commits.
    Returns ``(job id, "requeued" | "failed")`` for each."""
    cutoff = now - timeout
    rows = db.session.execute(select(ImportJob.id, ImportJob.worker, ImportJob.heartbeat_at, ImportJob.attempts,
                                     ImportJob.action)
                              .where(ImportJob.worker.is_not(None), ImportJob.worker != me)).all()
    done: list[tuple[int, str]] = []
    for job_id, worker, beat, attempts, action in rows:
        if not (beat is None or beat < cutoff or _gone_here(worker)):
            continue
        doing = ImportStatus.SAVING if action == "save" else ImportStatus.CHECKING
        if attempts >= max_attempts:
            result = db.session.scalar(select(ImportJob.result).where(ImportJob.id == job_id)) or {}
            failure = (f"The server stopped {attempts} times while {doing} this file, so it was given up. "
                       "Nothing was saved. Upload it again; if it happens again, split the file.")
            values = dict(action=None, worker=None, heartbeat_at=None, status=ImportStatus.FAILED, updated_at=now,
                          result={**result, "failure": failure})
            outcome = "failed"
        else:
            values = dict(worker=None, heartbeat_at=None, done=0, updated_at=now,
                          status=ImportStatus.SAVING if action == "save" else ImportStatus.QUEUED)
            outcome = "requeued"
        changed = db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.worker == worker)
                                     .values(**values).execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if changed:
            log.warning("import %s: worker %s is gone; %s (attempt %s)", job_id, worker, outcome, attempts)
            done.append((job_id, outcome))
    return done


class Worker:
    """Runs queued uploads until ``stop`` is set: ``threads`` claiming loops and one heartbeat thread."""

    def __init__(self, app: Flask, threads: int = 2, poll: float = 1.0) -> None:
        self.app, self.threads, self.poll = app, max(1, threads), poll
        self.name = worker_name()
        self.stop = threading.Event()
        cfg = app.config
        self.beat_every = float(cfg.get("IMPORT_HEARTBEAT_SECONDS", 5))
        self.timeout = timedelta(seconds=float(cfg.get("IMPORT_WORKER_TIMEOUT_SECONDS", 60)))
        self.max_attempts = int(cfg.get("IMPORT_MAX_ATTEMPTS", 3))

    def recover(self) -> list[tuple[int, str]]:
        with self.app.app_context():
            try:
                return recover(self.name, utcnow(), self.timeout, self.max_attempts)
            except OperationalError:  # SQLite busy past its timeout: try again on the next beat
                log.warning("job recovery postponed: the database is busy", exc_info=True)
                db.session.rollback()
                return []
            finally:
                db.session.remove()

    def _beat(self) -> None:
        while not self.stop.wait(self.beat_every):
            with self.app.app_context():
                try:
                    heartbeat(self.name, utcnow())
                except OperationalError:
                    log.warning("heartbeat postponed: the database is busy", exc_info=True)
                    db.session.rollback()
                finally:
                    db.session.remove()
            self.recover()

    def _loop(self, once: bool) -> None:
        from .imports import run

        while not self.stop.is_set():
            with self.app.app_context():
                try:
                    job_id = claim(self.name, utcnow())
                except OperationalError:
                    log.warning("claim postponed: the database is busy", exc_info=True)
                    db.session.rollback()
                    job_id = None
                finally:
                    db.session.remove()
            if job_id is None:
                if once:
                    return
                self.stop.wait(self.poll)
                continue
            log.info("import %s: started by %s", job_id, self.name)
            run(self.app, job_id)

    def run(self, once: bool = False) -> None:
        """Recovers what dead workers left, then works; ``once``: until the queue is empty."""
        for job_id, outcome in self.recover():
            log.info("import %s: %s after a crash", job_id, outcome)
        beat = threading.Thread(target=self._beat, name="jobs-heartbeat", daemon=True)
        beat.start()
        loops = [threading.Thread(target=self._loop, args=(once,), name=f"jobs-{i}") for i in range(self.threads)]
        for t in loops:
            t.start()
        for t in loops:
            t.join()
        self.stop.set()
        beat.join()
