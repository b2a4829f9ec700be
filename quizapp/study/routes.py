"""The study loop. Forms post and redirect, so it all works without JavaScript."""
from __future__ import annotations

import re
import secrets
import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..domain import scheduling as sched
from ..domain.optimiser import NotEnoughReviews
from ..domain.questions import get_type
from ..domain.rating import suggest_rating
from ..extensions import db
from ..models import Card, Question, ReviewLog
from ..models.types import utcnow
from ..services import catalog, study, tuning
from ..web.security import MAX_ID
from . import bp, focus
from .forms import SettingsForm


def chosen_bank_ids() -> list[int]:
    """Banks picked for this session (``?bank=`` to change), else every bank the learner has."""
    allowed = catalog.accessible_bank_ids(current_user)
    if "bank" in request.args:
        picked = [b for b in map(number, request.args.getlist("bank")) if b in allowed]
        session["study_banks"] = picked
    picked = [b for b in session.get("study_banks") or [] if b in allowed]
    return picked or sorted(allowed)


def number(text: str, limit: int = MAX_ID) -> int | None:
    """``text`` as an int if it is ASCII digits (optional minus) within ``limit``, else None: "²",
    "1e3" or a 5,000-digit id is no answer, not a crash in int() or in the database driver."""
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        return None
    value = int(text)
    return value if abs(value) <= limit else None


def _int(name: str, default: int | None = None, limit: int = MAX_ID) -> int | None:
    value = number(request.form.get(name, ""), limit)
    return default if value is None else value


def _duration_ms() -> int | None:
    """The browser's measure when script sent one, else time since the card was shown."""
    measured = _int("duration_ms")
    if measured is not None and 0 <= measured < 86_400_000:
        return measured
    shown = _int("shown_at", limit=10**15)  # milliseconds since 1970
    if shown is None:
        return None
    elapsed = int(time.time() * 1000) - shown
    return elapsed if 0 <= elapsed < 86_400_000 else None


@bp.get("/study")
@login_required
def index():
    now = utcnow()
    bank_ids = chosen_bank_ids()
    pick = focus.next_pick(current_user, now) or study.next_card(current_user, bank_ids, now)
    counts = study.counts(current_user, bank_ids, now)
    banks = catalog.banks_for(current_user)
    if pick is None:
        comeback = study.next_learning_due(current_user, bank_ids, now)
        return render_template("study/done.html", counts=counts, banks=banks, chosen=bank_ids, comeback=comeback,
                               last=study.last_log(current_user))
    seed = f"{current_user.id}:{pick.question.id}:{pick.ordinal}:{pick.state.reps}"
    qtype = get_type(pick.question.type)
    return render_template(
        "study/card.html", pick=pick, qtype=qtype, view=study.presentation(pick, seed), counts=counts,
        banks=banks, chosen=bank_ids, reveal=request.args.get("reveal") == "1",
        intervals=study.button_intervals(current_user, pick, now) if not qtype.auto_graded else None,
        client_id=secrets.token_urlsafe(16), shown_at=int(time.time() * 1000), last=study.last_log(current_user),
        ratings=sched.RATING_NAMES)


@bp.post("/study/answer")
@login_required
def answer():
    question_id, ordinal = _int("question_id"), _int("ordinal", 0)
    if question_id is None:
        abort(400, "The answer did not say which question it was for.")
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    qtype = get_type(question.type)
    response = qtype.read_response(request.form.getlist, ordinal)
    try:
        result = study.record_answer(current_user, question_id, ordinal, response,
                                     request.form.get("client_id", ""), now=utcnow(),
                                     duration_ms=_duration_ms(), rating=_int("rating"))
    except study.StudyError as exc:
        abort(400, str(exc))
    if not qtype.auto_graded:
        return redirect(url_for("study.index"))
    return redirect(url_for("study.answered", log_id=result.log.id))


def _own_log(log_id: int) -> ReviewLog:
    log = db.session.get(ReviewLog, log_id)
    if log is None or log.user_id != current_user.id:
        abort(404)
    return log


@bp.get("/study/answered/<int:log_id>")
@login_required
def answered(log_id: int):
    log = _own_log(log_id)
    card = db.session.get(Card, log.card_id)
    question = card.question
    qtype = get_type(question.type)
    outcome = qtype.grade(question.data, log.answer, card.ordinal)
    before = sched.CardState.from_json(log.state_before)
    previews = sched.preview(before, log.reviewed_at, study.scheduler_for(current_user), str(card.id))
    seconds = log.duration_ms / 1000 if log.duration_ms is not None else None
    suggested = suggest_rating(outcome, seconds, qtype.quick_seconds)
    latest = study.last_log(current_user)
    return render_template(
        "study/feedback.html", log=log, card=card, question=question, qtype=qtype, outcome=outcome,
        suggested=suggested, intervals={r: sched.interval_label(d) for r, d in previews.items()},
        ratings=sched.RATING_NAMES, can_rerate=latest is not None and latest.id == log.id,
        given=_given_text(qtype, log.answer), counts=study.counts(current_user, chosen_bank_ids(), utcnow()))


def _given_text(qtype, response) -> str:
    if response is None or response == "":
        return "(no answer)"
    if isinstance(response, list):
        return "; ".join(str(r) for r in response) or "(no answer)"
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, float) and response.is_integer():
        return str(int(response))
    return str(response)


@bp.post("/study/rate")
@login_required
def rate():
    log_id, rating = _int("log_id"), _int("rating")
    if log_id is None or rating is None:
        abort(400, "Choose a rating.")
    _own_log(log_id)
    try:
        study.rerate(current_user, log_id, rating)
    except study.StudyError as exc:
        abort(400, str(exc))
    flash(f"Rated {sched.RATING_NAMES[rating]}.", "success")
    return redirect(url_for("study.index"))


@bp.post("/study/undo")
@login_required
def undo():
    log = study.undo(current_user)
    flash("Your last answer was taken back." if log else "There is no answer to take back.", "info")
    return redirect(url_for("study.index"))


@bp.post("/study/card/<int:question_id>/<int:ordinal>/<action>")
@login_required
def card_action(question_id: int, ordinal: int, action: str):
    try:
        if action == "suspend":
            study.set_suspended(current_user, question_id, ordinal, True)
            flash("Card suspended: it will not be shown until you unsuspend it.", "info")
        elif action == "unsuspend":
            study.set_suspended(current_user, question_id, ordinal, False)
            flash("Card unsuspended.", "info")
        elif action == "bury":
            study.bury(current_user, question_id, ordinal, utcnow())
            flash("Card buried until tomorrow.", "info")
        else:
            abort(404)
    except study.StudyError as exc:
        abort(404, str(exc))
    return redirect(request.form.get("next") if request.form.get("next") == url_for("study.leeches")
                    else url_for("study.index"))


@bp.get("/study/leeches")
@login_required
def leeches():
    return render_template("study/leeches.html", cards=study.leeches(current_user))


@bp.route("/study/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        current_user.desired_retention = float(form.desired_retention.data)
        current_user.new_per_day = form.new_per_day.data
        current_user.reviews_per_day = form.reviews_per_day.data
        current_user.timezone = form.timezone.data
        current_user.day_start_hour = form.day_start_hour.data
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("study.settings"))
    reviews = db.session.scalar(select(db.func.count(ReviewLog.id)).where(ReviewLog.user_id == current_user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("study/settings.html", form=form, reviews=reviews), status


@bp.post("/study/settings/optimise")
@login_required
def optimise():
    try:
        result = tuning.optimise_for(current_user)
    except NotEnoughReviews as exc:
        flash(str(exc).capitalize() + ".", "error")
        return redirect(url_for("study.settings"))
    flash(f"Your scheduler is fitted to {result.reviews} reviews of {result.cards} cards: log loss "
          f"{result.log_loss_before:.4f} before, {result.log_loss_after:.4f} after (lower predicts you better).",
          "success")
    return redirect(url_for("study.settings"))
