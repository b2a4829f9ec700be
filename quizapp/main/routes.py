from __future__ import annotations

from io import BytesIO

from flask import render_template, send_file
from flask_login import current_user, login_required

from ..models.types import utcnow
from ..services import assigned_work, bank_progress, catalog, study_queue
from ..services.health import database_answers
from . import bp


@bp.get("/")
def index():
    """Visitors: what the app does. Learners: what is due, their assigned work, each bank at a glance."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    now = utcnow()
    bank_ids = sorted(catalog.accessible_bank_ids(current_user))
    counts = study_queue.counts(current_user, bank_ids, now) if bank_ids else None
    return render_template("main/home.html", counts=counts, banks=bank_progress.glance(current_user, now),
                           work=assigned_work.for_learner(current_user, now))


@bp.app_template_global("assigned_work")
def assigned_work_now() -> list[assigned_work.AssignedWork]:
    """The signed-in learner's assigned banks and what is left of each (the study page's "all done"
    screen and the progress page show it first)."""
    if not current_user.is_authenticated:
        return []
    return assigned_work.for_learner(current_user, utcnow())


# Served inline only for raster images; anything else is a download, so no upload runs as a page.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@bp.get("/media/<int:bank_id>/<path:name>")
@login_required
def media(bank_id: int, name: str):
    item = catalog.media_item(current_user, bank_id, name)
    inline = item.content_type in INLINE_TYPES
    response = send_file(BytesIO(item.data), mimetype=item.content_type if inline else "application/octet-stream",
                         as_attachment=not inline, download_name=name, max_age=86400)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Behind a login and per bank: the browser may keep it, a shared cache must not (send_file says public).
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.get("/ping")
@login_required
def ping():
    """A bare page behind login: the baseline bench/bench_review_loop.py sets the study loop against
    (same server, middleware and session handling, no page or query of its own)."""
    return "pong", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/healthz")
def health():
    database_answers()
    return {"status": "ok"}


@bp.get("/help")
def help_page():
    """How answers are graded, how the rating is suggested and what the intervals mean (public)."""
    from ..domain import rating
    from ..domain.questions import MAX_ANSWER_CHARS

    return render_template("main/help.html", rating=rating, max_chars=MAX_ANSWER_CHARS)
