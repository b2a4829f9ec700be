"""Uploading a question set: the form, progress while checking, the preview, fixes, saving."""
from __future__ import annotations

from io import BytesIO

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..banks.limits import DEFAULT_LIMITS, size_text
from ..models.imports import ImportStatus
from ..models.types import utcnow
from ..services import import_media as import_media_service
from ..services import imports
from ..web.bodies import UPLOAD, accepts_body
from ..web.downloads import attachment
from . import bp
from .forms import RecheckForm, UploadForm

PREVIEW_PAGE = 100  # questions per preview page: a 10,000-question file stays a light page


def documents_from_files(files) -> dict[str, str]:
    documents = {}
    for storage in files or []:
        if storage and storage.filename:
            documents[storage.filename.rsplit("/", 1)[-1]] = imports.read_document(storage.filename,
                                                                                     storage.read())
    return documents


def _job(job_id: int):
    job = imports.owned_job(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/upload", methods=["GET", "POST"])
@accepts_body(UPLOAD)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        if storage and storage.filename:
            filename, data = storage.filename.rsplit("/", 1)[-1], storage.read()
        else:
            filename, data = "pasted.txt", (form.text.data or "").encode("utf-8")
        try:
            if len(data) > DEFAULT_LIMITS.max_upload_bytes:
                raise imports.UploadError(f"{filename}: the file is {size_text(len(data))}; "
                                          f"the limit is {size_text(DEFAULT_LIMITS.max_upload_bytes)}")
            job = imports.start(current_user, filename, data, documents_from_files(form.documents.data), utcnow(),
                                fmt=form.fmt.data, options=form.reader_options(), name=form.bank_name.data or "",
                                categories=form.categories.data or "tags")
        except imports.UploadError as exc:
            form.file.errors = [*form.file.errors, str(exc)]
            return render_template("teach/upload.html", form=form), 400
        return redirect(url_for("teach.import_job", job_id=job.id))
    return render_template("teach/upload.html", form=form), 400 if form.errors else 200


@bp.get("/imports/<int:job_id>")
def import_job(job_id: int):
    job = _job(job_id)
    now = utcnow()
    if job.status == ImportStatus.SAVED and job.bank_id is not None and "page" not in request.args:
        flash(job.result.get("summary", "Saved."), "success")
        return redirect(url_for("teach.bank", slug=job.result["slug"]))
    questions = job.result.get("questions", [])
    page = max(1, request.args.get("page", 1, type=int))
    pages = max(1, -(-len(questions) // PREVIEW_PAGE))
    shown = questions[(page - 1) * PREVIEW_PAGE: page * PREVIEW_PAGE]
    issues = job.result.get("issues", [])
    by_question: dict[str, list[dict]] = {}
    for issue in issues:
        if issue.get("question"):
            by_question.setdefault(issue["question"], []).append(issue)
    editable = not job.data.startswith(b"PK")
    text = job.data.decode("utf-8-sig", errors="replace") if editable else ""
    text_lines = text.count("\n") + (0 if text.endswith("\n") else 1) if text else 1
    return render_template(
        "teach/import.html", job=job, stale=imports.is_stale(job, now), questions=shown, page=page, pages=pages,
        first=(page - 1) * PREVIEW_PAGE, issues=issues, errors=imports.errors(job), by_question=by_question,
        recheck=RecheckForm(text=text) if editable else None, can_save=imports.can_save(job), text_lines=text_lines,
        error_lines={i["line"] for i in imports.errors(job) if i.get("line")})


@bp.get("/imports/<int:job_id>/status.json")
def import_status(job_id: int):
    job = _job(job_id)
    return jsonify(status=job.status, done=job.done, total=job.total,
                   stale=imports.is_stale(job, utcnow()),
                   url=url_for("teach.import_job", job_id=job.id))


# Served inline only for raster images (as main.media serves a saved bank's); anything else is a download.
INLINE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@bp.get("/imports/<int:job_id>/media/<path:name>")
def import_media(job_id: int, name: str):
    """An image of the upload, for its preview (the bank's own media URL exists only once saved)."""
    data, content_type = import_media_service.preview_image(_job(job_id), name)
    inline = content_type in INLINE_IMAGES
    response = send_file(BytesIO(data), mimetype=content_type if inline else "application/octet-stream",
                         as_attachment=not inline, download_name=name.rsplit("/", 1)[-1], max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.get("/imports/<int:job_id>/errors.txt")
def import_errors(job_id: int):
    job = _job(job_id)
    name = job.filename.rsplit(".", 1)[0] or "upload"
    return attachment(imports.error_report(job), f"{name}-errors.txt", "text/plain")




@bp.post("/imports/<int:job_id>/recheck")
@accepts_body(UPLOAD)
def import_recheck(job_id: int):
    job = _job(job_id)
    form = RecheckForm()
    if not form.validate_on_submit():
        abort(400, "Send the file's text to check it again.")
    data = form.text.data.replace("\r\n", "\n").encode("utf-8")
    if job.data.startswith(b"PK"):
        abort(400, "A package (.apkg or .zip) cannot be edited in the page; upload it again.")
    imports.recheck(job, data, utcnow())  # the same upload, checked again (UploadError 400, Conflict 409)
    return redirect(url_for("teach.import_job", job_id=job.id))


@bp.post("/imports/<int:job_id>/save")
def import_save(job_id: int):
    job = _job(job_id)
    try:
        imports.request_save(job, import_history=request.form.get("import_history") == "1")
    except imports.UploadError as exc:
        flash(f"Not saved: {exc}.", "error")
        response = make_response(import_job(job_id))
        response.status_code = 409
        return response
    return redirect(url_for("teach.import_job", job_id=job.id))
