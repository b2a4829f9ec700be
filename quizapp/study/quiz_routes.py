"""Quiz mode pages."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..domain.questions import ResponseError, get_type
from ..models.types import utcnow
from ..services import cards, catalog, quiz, study_queue
from ..web.params import duration_ms, form_int, number
from . import bp
from .forms import QuizForm
from .routes import chosen_bank_ids


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
        except cards.StudyError as exc:
            form.size.errors.append(str(exc))
        else:
            return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    status = 400 if form.is_submitted() else 200
    return render_template("study/quiz_new.html", form=form, banks=banks, chosen=chosen_bank_ids()), status


@bp.get("/quiz/history")
@login_required
def quiz_history():
    """The learner's past quizzes: score, date, and the review of each answer."""
    return render_template("study/quiz_history.html", attempts=quiz.history(current_user))


def _attempt(attempt_id: int):
    attempt = quiz.own_attempt(current_user, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _item_page(attempt, item, error: str | None = None, shown_at: int | None = None,
               typed: dict | None = None) -> str:
    """The quiz question at ``item``; with ``error`` (and what was typed) when the answer sent was refused."""
    pick = cards.Pick(item.question, item.ordinal, None)
    qtype = get_type(item.question.type)
    if not shown_at or shown_at < 0:
        shown_at = int(utcnow().timestamp() * 1000)
    return render_template("study/quiz_item.html", attempt=attempt, item=item, pick=pick, qtype=qtype,
                           view=study_queue.presentation(pick, f"quiz:{attempt.id}:{item.position}"),
                           shown_at=shown_at, total=len(attempt.items), error=error, typed=typed or {})


@bp.get("/quiz/<int:attempt_id>")
@login_required
def quiz_take(attempt_id: int):
    attempt = _attempt(attempt_id)
    item = quiz.next_item(attempt)
    if item is None:
        rows = []
        for i in attempt.items:
            qtype = get_type(i.question.type)
            # The grade given when answered: a question edited since does not change this attempt.
            rows.append({"item": i, "question": i.question, "qtype": qtype, "outcome": quiz.item_outcome(i),
                         "given": qtype.given_text(i.response)})
        return render_template("study/quiz_result.html", attempt=attempt, score=quiz.score(attempt), rows=rows)
    return _item_page(attempt, item)


@bp.post("/quiz/<int:attempt_id>/answer")
@login_required
def quiz_answer(attempt_id: int):
    attempt = _attempt(attempt_id)
    position = form_int("position")
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        abort(400, "The answer did not say which quiz question it was for.")
    if item.answered_at is not None:  # a resend: the answer given first stands
        return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    qtype = get_type(item.question.type)
    try:
        response = qtype.read_response(request.form.getlist, item.ordinal)
        now = utcnow()
        quiz.answer(current_user, attempt, position, response, now=now, duration_ms=duration_ms(now))
    except (ResponseError, cards.AskAgain) as exc:
        # Nothing was recorded: the same question again, saying what was wrong, typed text kept.
        return _item_page(attempt, item, error=str(exc), shown_at=form_int("shown_at", limit=10**15),
                          typed={"answer": request.form.getlist("answer")[:100]}), 400
    return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
