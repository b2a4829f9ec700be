"""Quiz mode pages."""
from __future__ import annotations

import time

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..domain.questions import get_type
from ..models.types import utcnow
from ..services import catalog, quiz, study
from . import bp
from .forms import QuizForm
from .routes import _duration_ms, _given_text, _int, chosen_bank_ids, number


@bp.route("/quiz", methods=["GET", "POST"])
@login_required
def quiz_new():
    form = QuizForm()
    banks = catalog.banks_for(current_user)
    if form.validate_on_submit():
        allowed = catalog.accessible_bank_ids(current_user)
        picked = [b for b in map(number, request.form.getlist("bank")) if b in allowed]
        try:
            attempt = quiz.start(current_user, picked, form.size.data, utcnow())
        except study.StudyError as exc:
            form.size.errors.append(str(exc))
        else:
            return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    status = 400 if form.is_submitted() else 200
    return render_template("study/quiz_new.html", form=form, banks=banks, chosen=chosen_bank_ids()), status


def _attempt(attempt_id: int):
    attempt = quiz.own_attempt(current_user, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


@bp.get("/quiz/<int:attempt_id>")
@login_required
def quiz_take(attempt_id: int):
    attempt = _attempt(attempt_id)
    item = quiz.next_item(attempt)
    if item is None:
        rows = []
        for i in attempt.items:
            qtype = get_type(i.question.type)
            rows.append({"item": i, "question": i.question, "qtype": qtype,
                         "outcome": qtype.grade(i.question.data, i.response, i.ordinal),
                         "given": _given_text(qtype, i.response)})
        return render_template("study/quiz_result.html", attempt=attempt, score=quiz.score(attempt), rows=rows)
    pick = study.Pick(item.question, item.ordinal, None)
    qtype = get_type(item.question.type)
    return render_template("study/quiz_item.html", attempt=attempt, item=item, pick=pick, qtype=qtype,
                           view=study.presentation(pick, f"quiz:{attempt.id}:{item.position}"),
                           shown_at=int(time.time() * 1000), total=len(attempt.items))


@bp.post("/quiz/<int:attempt_id>/answer")
@login_required
def quiz_answer(attempt_id: int):
    attempt = _attempt(attempt_id)
    position = _int("position")
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        abort(400, "The answer did not say which quiz question it was for.")
    qtype = get_type(item.question.type)
    response = qtype.read_response(request.form.getlist, item.ordinal)
    try:
        quiz.answer(current_user, attempt, position, response, now=utcnow(), duration_ms=_duration_ms())
    except study.StudyError as exc:
        abort(400, str(exc))
    return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
