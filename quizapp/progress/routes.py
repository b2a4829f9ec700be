"""The learner's own dashboard (always the logged-in user's: no URL names a learner) and "study just these"."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..models.types import utcnow
from ..services import progress
from ..study import focus
from . import bp
from .views import csv_download, render_dashboard


@bp.get("/progress")
@login_required
def index():
    return render_dashboard(current_user, csv_endpoint="progress.csv")


@bp.get("/progress.csv")
@login_required
def csv():
    return csv_download(current_user, request.args.get("table"))


@bp.post("/progress/focus")
@login_required
def focus_start():
    """Starts a study session of the chosen questions only (the weakest, ticked on the dashboard)."""
    # ASCII digits only ("²".isdigit() is true, yet int() refuses it) and under 10 of them (an id
    # column's range: a longer number is a database error on PostgreSQL).
    asked = [int(v) for v in request.form.getlist("question") if v.isascii() and v.isdigit() and len(v) < 10]
    chosen = progress.focus_questions(current_user, asked)
    if not chosen:
        flash("Choose at least one of the questions to study.", "error")
        return redirect(url_for("progress.index"))
    focus.start(chosen, utcnow())
    return redirect(url_for("study.index"))


@bp.post("/progress/focus/clear")
@login_required
def focus_clear():
    focus.clear()
    flash("Back to all your cards.", "info")
    return redirect(url_for("study.index"))
