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

from ..banks import formats, upload_choices
from ..banks.check import previewable
from ..banks.encoding import utf8_text
from ..banks.grounding import flag_quotes
from ..banks.limits import DEFAULT_LIMITS, size_text
from ..banks.lint import ERROR as LINT_ERROR
from ..banks.lint import lint_bank
from ..banks.model import MAX_TITLE_CHARS, BankIssue, ParseResult, scrub
from ..banks.model import Bank as ParsedBank
from ..banks.native import question_to_dict
from ..extensions import db
from ..models import Bank, Document, ImportJob, User
from ..models.imports import ImportStatus
from ..models.types import utcnow
from . import anki_history
from .bank_store import SaveReport, free_slug, save_bank
from .documents import save_documents
from .errors import Conflict, ServiceError
from .import_changes import reset_warnings

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
    text, issue = utf8_text(data, name)
    if issue is not None:
        raise UploadError(str(issue))
    return text


def start(owner: User, filename: str, data: bytes, documents: dict[str, str], now: datetime,
          fmt: str = "auto", replaces: ImportJob | None = None, options: dict[str, str] | None = None,
          name: str = "", categories: str = "tags") -> ImportJob:
    """Records the upload and starts checking it. Commits (the job must outlive this request).
    ``options`` go to the reader (a CSV's separators); a re-check keeps those of the job it replaces.
    ``name``: the bank's name (empty: the file's own); ``categories``: GIFT categories as "tags" or
    "banks" (banks/upload_choices.py)."""
    if not data.strip():
        raise UploadError("the file is empty")
    if categories not in upload_choices.CATEGORY_CHOICES:
        raise UploadError(f"unknown choice for categories {categories!r}")
    if fmt != "auto" and fmt not in formats.FORMATS:
        raise UploadError(f"unknown format {fmt!r}")
    options = {k: v for k, v in (options or {}).items() if v is not None}
    if options and fmt != "auto" and not set(options) <= set(formats.FORMATS[fmt].options):
        raise UploadError(f"separators are for CSV/TSV files, not {formats.FORMATS[fmt].label}")
    if replaces is not None:
        documents = {**replaces.documents, **documents}
        options = options or dict(replaces.result.get("options") or {})
    # The reader's options ride in ``result`` (kept by check), so the save reads the file as checked.
    # The column holds 255 characters; a longer name keeps its end, where the extension is.
    filename = (filename or "upload.txt")[-255:]
    choices = _choices(name, categories)
    job = ImportJob(owner_id=owner.id, filename=filename, format=fmt, data=data,
                    documents=documents, status=ImportStatus.QUEUED, action="check", created_at=now, updated_at=now,
                    result={**({"options": options} if options else {}), **choices})
    db.session.add(job)
    db.session.commit()
    launch(job.id)
    return job


def _choices(name: str, categories: str) -> dict[str, str]:
    """The teacher's choices as the job's result keeps them (only what differs from the defaults)."""
    name = " ".join((name or "").split())
    if len(name) > MAX_TITLE_CHARS:
        raise UploadError(f"the bank's name is {len(name)} characters long; at most {MAX_TITLE_CHARS} are allowed")
    return {**({"bank_name": name} if name else {}), **({"categories": categories} if categories != "tags" else {})}


RECHECKABLE = (ImportStatus.CHECKED, ImportStatus.FAILED)


def recheck(job: ImportJob, data: bytes, now: datetime) -> ImportJob:
    """"Check again" with the text fixed in the page: the same upload (not a new one) takes the new
    text and is checked again, keeping its documents, separators and the teacher's choices. Commits.
    Conflict while it is being checked or saved (or once saved)."""
    if not data.strip():
        raise UploadError("the file is empty")
    if len(data) > DEFAULT_LIMITS.max_upload_bytes:
        raise UploadError(f"the text is {size_text(len(data))}; "
                          f"the limit is {size_text(DEFAULT_LIMITS.max_upload_bytes)}")
    kept = {k: v for k, v in (job.result or {}).items() if k in ("options", "bank_name", "categories")}
    # Conditional, like the save: a check or save under way (or a double click) is never disturbed.
    changed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status.in_([s.value for s in RECHECKABLE]),
               ImportJob.action.is_(None), ImportJob.worker.is_(None))
        .values(data=data, status=ImportStatus.QUEUED, action="check", done=0, total=0, result=kept,
                updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not changed:
        raise Conflict("this upload is being checked or saved right now; check it again in a moment")
    launch(job.id)  # (an inline check runs in a session of its own: read the job afresh to see it)
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
                job.status = ImportStatus.FAILED
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


def _options(job: ImportJob) -> dict[str, str]:
    return dict((job.result or {}).get("options") or {})


def _parse(job: ImportJob) -> ParseResult:
    result = job.result or {}
    return upload_choices.parse(job.data, job.filename, job.format, name=result.get("bank_name", ""),
                                categories=result.get("categories", "tags"), **_options(job))


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
        return slug, existing, [], "update"  # (save_bank.may_replace lets an admin do it too)
    free = free_slug(slug)
    note = BankIssue("", None, f"the bank id {slug!r} is taken by another bank; this one will be saved "
                               f"as {free}", "id", level="notice")
    return free, None, [note], "new"


def check(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    owner = db.session.get(User, job.owner_id)
    _progress(job, ImportStatus.CHECKING, 0, 0)
    parsed = _parse(job)
    issues = [*parsed.errors, *parsed.notices]
    options = _options(job)
    detected = "csv" if options else formats.detect(job.data, job.filename)
    result: dict[str, Any] = {"format": detected if job.format == "auto" else job.format, "questions": [],
                              "count": 0, **({"options": options} if options else {}),
                              **{k: v for k, v in job.result.items() if k in ("bank_name", "categories")}}
    bank = parsed.bank or parsed.partial
    if bank is not None:
        if parsed.parts:  # one bank per category: each has its own target (the file's own bank may be none)
            parts, notes = _part_targets(owner, parsed.parts, job.filename)
            slug, existing, mode = parts[0]["slug"], None, parts[0]["mode"]
            result["banks"] = parts
        else:
            slug, existing, notes, mode = _target(owner, bank.id)
            if existing is not None:
                notes += reset_warnings(bank, existing.id, job.filename)
        issues += notes
        documents = {**_existing_documents(existing), **job.documents}
        total = len(bank.questions)
        _progress(job, ImportStatus.CHECKING, 0, total)
        folded: dict[str, str] = {}
        delay = float(os.environ.get(TEST_DELAY_VARIABLE) or 0)
        for i, q in enumerate(bank.questions, 1):
            if delay:
                time.sleep(delay)
            issues += flag_quotes(q, bank.sources, documents, job.filename, folded)
            result["questions"].append({**previewable(question_to_dict(q)), "_line": q.line})
            if i % PROGRESS_EVERY == 0:
                _progress(job, ImportStatus.CHECKING, i, total)
        issues += lint_notes(bank, job.filename)
        result.update(count=total, slug=slug, title=result["banks"][0]["title"] if parsed.parts else bank.title,
                      mode=mode, media=len(bank.media), documents=sorted(documents),
                      history=anki_history.summary(bank))
    result["issues"] = [i.as_dict() for i in issues]
    # A refused file may hold what no database stores (a NUL, a lone surrogate): its preview keeps
    # U+FFFD in their place, its issues say where they were.
    job.result = scrub(result)
    _finished(job)
    _progress(job, ImportStatus.CHECKED, job.total, job.total)


def _part_targets(owner: User, parts: list[ParsedBank], file: str) -> tuple[list[dict[str, Any]], list[BankIssue]]:
    """Where each bank of a file split by category goes (its id, new or an update of the teacher's
    own), and the notes: an id taken by another owner, learners who restart a changed question."""
    targets, notes, used = [], [], set()
    for part in parts:
        slug, existing, taken_notes, mode = _target(owner, part.id)
        if slug in used:  # (a free variant another part of this file already took)
            slug, existing, mode = free_slug(f"{slug}-{len(used) + 1}"), None, "new"
        used.add(slug)
        notes += taken_notes
        if existing is not None:
            notes += reset_warnings(part, existing.id, file)
        targets.append({"slug": slug, "title": part.title, "count": len(part.questions), "mode": mode})
    return targets, notes


def lint_notes(bank: ParsedBank, file: str) -> list[BankIssue]:
    """``flask bank lint``'s findings on the uploaded bank alone, as notes that never block saving
    (the teacher decides): what the lint calls an error shows as a warning, its warnings as notices."""
    return [BankIssue(file, f.line, f.message, f.field, f.question,
                      level="warning" if f.level == LINT_ERROR else "notice")
            for f in lint_bank(bank, file)]


def errors(job: ImportJob) -> list[dict[str, Any]]:
    return [i for i in job.result.get("issues", []) if i["level"] == "error"]


def can_save(job: ImportJob) -> bool:
    return job.status == ImportStatus.CHECKED and job.result.get("count", 0) > 0 and not errors(job)


def request_save(job: ImportJob, import_history: bool = False) -> None:
    """Queues the save; ``import_history``: the uploader takes the file's review history (an Anki
    package's) as their own progress (services/anki_history.py)."""
    if not can_save(job):
        raise UploadError("fix every error before saving" if errors(job) else "there is nothing to save")
    chosen = {"result": {**job.result, "import_history": True}} if import_history and job.result.get("history") else {}
    # Conditional, so a double click queues one save, never two.
    queued = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.CHECKED, ImportJob.action.is_(None))
        .values(action="save", status=ImportStatus.SAVING, done=0, total=job.result.get("count", 0),
                updated_at=utcnow(), **chosen)
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
    targets = job.result.get("banks")
    if targets:  # one bank per category: every one in this same transaction, all or nothing
        assert len(targets) == len(parsed.parts), "the file reads as it did when checked"
        reports = []
        for part, target in zip(parsed.parts, targets):
            part.id = target["slug"]
            reports.append(save_bank(part, now=now(), owner=owner))
            save_documents(reports[-1].bank_id, job.documents, now())
        report, history = reports[0], ""
        summary = f"{len(reports)} banks saved. " + "; ".join(r.summary() for r in reports)
    else:
        parsed.bank.id = job.result["slug"]
        report = save_bank(parsed.bank, now=now(), owner=owner)
        save_documents(report.bank_id, job.documents, now())
        history = anki_history.after_save(owner, report.bank_id, parsed.bank,
                                          bool(job.result.get("import_history")), now())
        summary = report.summary() + history
    job.bank_id, job.status, job.done, job.updated_at = report.bank_id, ImportStatus.SAVED, job.total, now()
    job.result = {**job.result, "summary": summary}
    _finished(job)
    db.session.commit()
    return report


def is_stale(job: ImportJob, now: datetime) -> bool:
    """Waiting or running with no sign of life for ``STALE_AFTER`` (no worker is running, it seems)."""
    if job.status not in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.SAVING):
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
