"""Uploading a question set: check it (with progress), show a preview, then save all or nothing.

The work is a job in the database (``import_jobs``) run by the queue's worker process
(quizapp/services/jobs.py: why and how), so the teacher's browser polls a progress page, other
users are served meanwhile, and neither a restart of the web process nor a crash of the worker
loses an upload. ``IMPORT_RUNNER="inline"`` runs it in the request instead (tests, scripts).
Everything slow (parsing, checking quotes, building rows) happens before the database write; the
save itself is one short transaction, which also marks the job finished.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from ..banks import formats
from ..banks.grounding import flag_quotes
from ..banks.lint import ERROR as LINT_ERROR
from ..banks.lint import lint_bank
from ..banks.model import Bank as ParsedBank
from ..banks.model import BankIssue, ParseResult
from ..banks.native import question_to_dict
from ..extensions import db
from ..models import Bank, Document, ImportJob, User
from ..models.types import utcnow
from .bank_store import SaveReport, save_bank
from .documents import save_documents
from .errors import ServiceError

log = logging.getLogger(__name__)

PROGRESS_EVERY = 250  # questions between progress commits: often enough to see, rarely enough to be cheap
# A job with no sign of life (progress or its worker's heartbeat) for this long: the page says the
# worker seems to be stopped. The job stays queued and carries on when a worker runs again.
STALE_AFTER = timedelta(minutes=10)
# Tests only: seconds to spend on each question while checking, so a test can kill a worker mid-job.
TEST_DELAY_VARIABLE = "QUIZAPP_TEST_IMPORT_DELAY"
DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class UploadError(ServiceError):
    """An upload that cannot be taken; the message says why."""


def read_document(name: str, data: bytes) -> str:
    """A source document's text; only plain text and Markdown, UTF-8."""
    if not name.lower().endswith(DOCUMENT_SUFFIXES):
        raise UploadError(f"{name}: documents must be plain text or Markdown (.txt, .md)")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UploadError(f"{name}: a document may be at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UploadError(f"{name}:{line}: is not UTF-8 text (save it as UTF-8 and try again)") from None


def start(owner: User, filename: str, data: bytes, documents: dict[str, str], now: datetime,
          fmt: str = "auto", replaces: ImportJob | None = None) -> ImportJob:
    """Records the upload and starts checking it. Commits (the job must outlive this request)."""
    if not data.strip():
        raise UploadError("the file is empty")
    if fmt != "auto" and fmt not in formats.FORMATS:
        raise UploadError(f"unknown format {fmt!r}")
    if replaces is not None:
        documents = {**replaces.documents, **documents}
    job = ImportJob(owner_id=owner.id, filename=filename or "upload.txt", format=fmt, data=data,
                    documents=documents, status="queued", action="check", created_at=now, updated_at=now)
    db.session.add(job)
    db.session.commit()
    launch(job.id)
    return job


def launch(job_id: int) -> None:
    """The job is queued (committed); with the inline runner it is run here and now."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("IMPORT_RUNNER") == "inline":
        run(app, job_id)


def run(app: Flask, job_id: int) -> None:
    """Does the job's pending action (check or save); it always ends in a state the teacher sees."""
    with app.app_context():
        action = db.session.scalar(select(ImportJob.action).where(ImportJob.id == job_id))
        try:
            if action == "check":
                check(job_id)
            elif action == "save":
                save(job_id)
        except Exception:
            log.exception("import %s (%s) failed", job_id, action)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            if job is not None:
                job.status = "failed"
                job.result = {**job.result, "failure": "Something went wrong on our side while "
                              f"{'saving' if action == 'save' else 'checking'} this file. Nothing was saved."}
                job.updated_at = utcnow()
                _finished(job)
                db.session.commit()
        finally:
            db.session.remove()


def _finished(job: ImportJob) -> None:
    """Takes the job off the queue; set in the transaction that writes its outcome."""
    job.action = job.worker = job.heartbeat_at = None


def _progress(job: ImportJob, status: str, done: int, total: int) -> None:
    job.status, job.done, job.total, job.updated_at = status, done, total, utcnow()
    db.session.commit()


def _parse(job: ImportJob) -> ParseResult:
    return formats.parse(job.data, job.filename, job.format)


def _existing_documents(bank: Bank | None) -> dict[str, str]:
    if bank is None:
        return {}
    return {d.name: d.text for d in db.session.scalars(select(Document).where(Document.bank_id == bank.id))}


def _target(owner: User, slug: str) -> tuple[str, Bank | None, list[BankIssue], str]:
    """The bank id to save under: the file's own, or a free variant when another owner has it."""
    existing = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if existing is None:
        return slug, None, [], "new"
    if not existing.builtin and (existing.owner_id == owner.id or owner.is_admin):
        return slug, existing, [], "update"
    n = 2
    while db.session.scalar(select(Bank.id).where(Bank.slug == f"{slug}-{n}")) is not None:
        n += 1
    note = BankIssue("", None, f"the bank id {slug!r} is taken by another bank; this one will be saved "
                               f"as {slug}-{n}", "id", level="notice")
    return f"{slug}-{n}", None, [note], "new"


def check(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    owner = db.session.get(User, job.owner_id)
    _progress(job, "checking", 0, 0)
    parsed = _parse(job)
    issues = [*parsed.errors, *parsed.notices]
    result: dict[str, Any] = {"format": formats.detect(job.data, job.filename) if job.format == "auto"
                              else job.format, "questions": [], "count": 0}
    bank = parsed.bank or parsed.partial
    if bank is not None:
        slug, existing, notes, mode = _target(owner, bank.id)
        issues += notes
        documents = {**_existing_documents(existing), **job.documents}
        total = len(bank.questions)
        _progress(job, "checking", 0, total)
        folded: dict[str, str] = {}
        delay = float(os.environ.get(TEST_DELAY_VARIABLE) or 0)
        for i, q in enumerate(bank.questions, 1):
            if delay:
                time.sleep(delay)
            issues += flag_quotes(q, bank.sources, documents, job.filename, folded)
            result["questions"].append({**question_to_dict(q), "_line": q.line})
            if i % PROGRESS_EVERY == 0:
                _progress(job, "checking", i, total)
        issues += lint_notes(bank, job.filename)
        result.update(count=total, slug=slug, title=bank.title, mode=mode, media=len(bank.media),
                      documents=sorted(documents))
    result["issues"] = [i.as_dict() for i in issues]
    job.result = result
    _finished(job)
    _progress(job, "checked", job.total, job.total)


def lint_notes(bank: ParsedBank, file: str) -> list[BankIssue]:
    """``flask bank lint``'s findings on the uploaded bank alone, as notes that never block saving
    (the teacher decides): what the lint calls an error shows as a warning, its warnings as notices."""
    return [BankIssue(file, f.line, f.message, f.field, f.question,
                      level="warning" if f.level == LINT_ERROR else "notice")
            for f in lint_bank(bank, file)]


def errors(job: ImportJob) -> list[dict[str, Any]]:
    return [i for i in job.result.get("issues", []) if i["level"] == "error"]


def can_save(job: ImportJob) -> bool:
    return job.status == "checked" and job.result.get("count", 0) > 0 and not errors(job)


def request_save(job: ImportJob) -> None:
    if not can_save(job):
        raise UploadError("fix every error before saving" if errors(job) else "there is nothing to save")
    # Conditional, so a double click queues one save, never two.
    queued = db.session.execute(
        update(ImportJob).where(ImportJob.id == job.id, ImportJob.status == "checked", ImportJob.action.is_(None))
        .values(action="save", status="saving", done=0, total=job.result.get("count", 0), updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not queued:
        raise UploadError("this upload is already being saved")
    db.session.refresh(job)
    launch(job.id)


def save(job_id: int, now: Callable[[], datetime] = utcnow) -> SaveReport:
    """Saves the checked upload in one transaction: the bank, its questions, media and documents."""
    job = db.session.get(ImportJob, job_id)
    owner = db.session.get(User, job.owner_id)
    parsed = _parse(job)  # the bytes are kept, so this is the bank the preview showed
    assert parsed.ok and parsed.bank is not None, "a job is saved only after a clean check"
    parsed.bank.id = job.result["slug"]
    report = save_bank(parsed.bank, now=now(), owner=owner)
    save_documents(report.bank_id, job.documents, now())
    job.bank_id, job.status, job.done, job.updated_at = report.bank_id, "saved", job.total, now()
    job.result = {**job.result, "summary": report.summary()}
    _finished(job)
    db.session.commit()
    return report


def is_stale(job: ImportJob, now: datetime) -> bool:
    """Waiting or running with no sign of life for ``STALE_AFTER`` (no worker is running, it seems)."""
    if job.status not in ("queued", "checking", "saving"):
        return False
    seen = max(job.updated_at, job.heartbeat_at) if job.heartbeat_at is not None else job.updated_at
    return now - seen > STALE_AFTER


def owned_job(user: User, job_id: int) -> ImportJob | None:
    job = db.session.get(ImportJob, job_id)
    return job if job is not None and (job.owner_id == user.id or user.is_admin) else None


def error_report(job: ImportJob) -> str:
    """Every issue as ``file:line: question 'x': field 'y': message``, one per line (editors jump there)."""
    lines = [str(BankIssue(i["file"] or job.filename, i["line"], i["message"], i["field"], i["question"],
                           i["level"])) + ("" if i["level"] == "error" else f"  [{i['level']}]")
             for i in job.result.get("issues", [])]
    return "\n".join(lines) + ("\n" if lines else "")
