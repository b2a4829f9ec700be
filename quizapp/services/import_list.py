"""A teacher's recent uploads with their state, and discarding one that is not saved.

A discarded upload is deleted (the file, its documents and its preview); it never touched a bank.
Only an upload no worker holds can go: the delete is conditional on ``worker IS NULL`` in the
same statement, so it cannot race a worker claiming the job (services/jobs.py), and a save already
queued or under way is left to finish.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from ..models import ImportJob, User
from ..models.imports import ImportStatus
from .errors import Conflict
from .unit import transactional

RECENT = 50
DISCARDABLE = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.FAILED)
STATE_LABELS = {
    ImportStatus.QUEUED: "waiting to be checked",
    ImportStatus.CHECKING: "being checked",
    ImportStatus.CHECKED: "checked, not saved",
    ImportStatus.SAVING: "being saved",
    ImportStatus.SAVED: "saved",
    ImportStatus.FAILED: "failed",
}


def recent(user: User, limit: int = RECENT) -> list[ImportJob]:
    """The user's latest uploads, newest first (their own, even for an admin)."""
    return list(db.session.scalars(select(ImportJob).where(ImportJob.owner_id == user.id)
                                   .order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(limit)))


def discardable(job: ImportJob) -> bool:
    return job.status in DISCARDABLE and job.worker is None


@transactional
def discard(job: ImportJob) -> str:
    """Deletes an unsaved upload; Conflict while a worker is checking it or once it is being saved."""
    name, job_id = job.filename, job.id
    gone = db.session.execute(
        delete(ImportJob).where(ImportJob.id == job_id, ImportJob.worker.is_(None),
                                ImportJob.status.in_([s.value for s in DISCARDABLE]))
        .execution_options(synchronize_session=False)).rowcount
    if not gone:
        db.session.refresh(job)
        if job.status in (ImportStatus.SAVING, ImportStatus.SAVED):
            raise Conflict(f"{name} is {STATE_LABELS[ImportStatus(job.status)]}: a saved upload is a bank now.")
        raise Conflict(f"{name} is being checked right now; discard it in a moment.")
    db.session.expunge(job)
    return name
