"""A teacher's recent uploads with their state, and discarding one not saved."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..services import import_list, imports
from . import bp


@bp.get("/imports")
def imports_list():
    return render_template("teach/imports.html", jobs=import_list.recent(current_user),
                           labels=import_list.STATE_LABELS, discardable=import_list.discardable)


@bp.post("/imports/<int:job_id>/discard")
def import_discard(job_id: int):
    job = imports.owned_job(current_user, job_id)
    if job is None:
        abort(404)
    name = import_list.discard(job)
    flash(f"Discarded the upload {name}. No bank was changed.", "success")
    return redirect(url_for("teach.imports_list"))
