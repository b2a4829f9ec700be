"""Quiz mode pages: start, the questions with Moodle's navigation panel and flags, the summary with
"Submit all and finish", the result (all answers or only those not right), "retry the wrong ones",
and the learner's history.

Every form of a question page posts to ``quiz_answer``: the answer typed is saved (graded, final)
before going where the button says (``go``: a question's position, ``summary``), so moving about
never loses an answer; ``go=flag``/``unflag`` only marks the question, keeping what was typed.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..domain.questions import ResponseError, get_type
from ..models.types import utcnow
from ..services import cards, catalog, documents, quiz, study_queue
from ..web import clock
from ..web.params import duration_ms, form_int, number
from . import bp
from .forms import QuizForm
from .routes import chosen_bank_ids


def _when(moment) -> str:
    """A date and time on the learner's clock: "2 Mar 2026, 20:00" (or "8:00 PM" where that is the clock read)."""
    local = quiz.local_time(moment, current_user)
    return f"{local.day} {local:%b %Y}, {clock.clock_time(moment, current_user.timezone)}"


@bp.app_template_global("unfinished_quiz")
def unfinished_quiz() -> dict | None:
    """The signed-in learner's open quiz to resume (home page, quiz page), or None."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    attempt = quiz.unfinished(current_user, now)
    if attempt is None:
        return None
    left = quiz.seconds_left(attempt, now)
    return {"attempt": attempt, "score": quiz.score(attempt),
            "minutes_left": None if left is None else max(1, round(left / 60))}


@bp.route("/quiz", methods=["GET", "POST"])
@login_required
def quiz_new():
    form = QuizForm()
    banks = catalog.banks_for(current_user)
    if form.validate_on_submit():
        allowed = catalog.accessible_bank_ids(current_user)
        picked = [b for b in map(number, request.form.getlist("bank")) if b in allowed]
        try:
            attempt = quiz.start(current_user, picked, form.size.data, utcnow(),
                                 time_limit=(form.time_limit.data or 0) * 60 or None,
                                 reschedule=form.mode.data != "practice")
        except cards.StudyError as exc:
            form.size.errors.append(str(exc))
        else:
            return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    status = 400 if form.is_submitted() else 200
    return render_template("study/quiz_new.html", form=form, banks=banks, chosen=chosen_bank_ids()), status


@bp.get("/quiz/history")
@login_required
def quiz_history():
    """The learner's past quizzes: score, date on their clock, and the review of each."""
    return render_template("study/quiz_history.html", attempts=quiz.history(current_user, now=utcnow()), when=_when)


def _own(attempt_id: int):
    """The learner's attempt as it is (404 for anyone else's); answers within the grace still count."""
    attempt = quiz.own_attempt(current_user, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _timer(attempt, now) -> dict | None:
    left = quiz.seconds_left(attempt, now)
    return None if left is None else {"left": left, "minutes": attempt.time_limit // 60}


def _item_page(attempt, item, error: str | None = None, shown_at: int | None = None,
               typed: dict | None = None) -> str:
    """The quiz question at ``item``; with ``error`` (and what was typed) when the answer sent was refused."""
    now = utcnow()
    pick = cards.Pick(item.question, item.ordinal, None)
    qtype = get_type(item.question.type)
    if not shown_at or shown_at < 0:
        shown_at = int(now.timestamp() * 1000)
    answered = item.answered_at is not None
    return render_template("study/quiz_item.html", attempt=attempt, item=item, pick=pick, qtype=qtype,
                           view=study_queue.presentation(pick, f"quiz:{attempt.id}:{item.position}"),
                           shown_at=shown_at, total=len(attempt.items), error=error, typed=typed or {},
                           nav=quiz.navigation(attempt), answered=answered, timer=_timer(attempt, now),
                           given=qtype.given_text(item.response) if answered else "",
                           done=quiz.score(attempt).answered)


def _result_page(attempt) -> str:
    only_wrong = request.args.get("show") == "wrong"
    wrong = quiz.not_right(attempt)
    shown = wrong if only_wrong else attempt.items
    rows, seen = [], {}
    for i in shown:
        qtype = get_type(i.question.type)
        passages = documents.passages_for(i.question) if i.question.data.get("evidence") else []
        # A passage already shown for an earlier question is named, not repeated.
        key = (i.question.bank_id, tuple(p.segments for p in passages))
        same_as = seen.get(key) if passages else None
        if passages and same_as is None:
            seen[key] = i.position + 1
        # The grade given when answered: a question edited since does not change this attempt.
        rows.append({"item": i, "question": i.question, "qtype": qtype, "outcome": quiz.item_outcome(i),
                     "given": qtype.given_text(i.response) if i.answered_at else "",
                     "passages": passages, "same_as": same_as})
    return render_template("study/quiz_result.html", attempt=attempt, score=quiz.score(attempt), rows=rows,
                           only_wrong=only_wrong, wrong=len(wrong), finished=_when(attempt.finished_at))


@bp.get("/quiz/<int:attempt_id>")
@login_required
def quiz_take(attempt_id: int):
    """The question asked for (``?q=``, a position), else the first unanswered; once finished, the result."""
    attempt = quiz.attempt_for(current_user, attempt_id, utcnow())
    if attempt.finished_at is not None:
        return _result_page(attempt)
    item = quiz.item_at(attempt, number(request.args.get("q", ""), limit=10_000)) or quiz.next_item(attempt)
    if item is None:
        return redirect(url_for("study.quiz_summary", attempt_id=attempt.id))
    return _item_page(attempt, item)


def _after(attempt, position: int, go: str):
    """Where a question page's button leads once its answer is saved."""
    if attempt.finished_at is not None or go == "summary":
        target = "study.quiz_take" if attempt.finished_at is not None else "study.quiz_summary"
        return redirect(url_for(target, attempt_id=attempt.id))
    target = quiz.item_at(attempt, number(go, limit=10_000))
    if target is not None:
        return redirect(url_for("study.quiz_take", attempt_id=attempt.id, q=target.position))
    # "Next": the next unanswered question after this one, else the summary (some are left before it).
    later = [i for i in attempt.items if i.answered_at is None and i.position > position]
    if later:
        return redirect(url_for("study.quiz_take", attempt_id=attempt.id, q=later[0].position))
    return redirect(url_for("study.quiz_summary", attempt_id=attempt.id))


@bp.post("/quiz/<int:attempt_id>/answer")
@login_required
def quiz_answer(attempt_id: int):
    attempt = _own(attempt_id)
    position = form_int("position")
    item = quiz.item_at(attempt, position)
    if item is None:
        abort(400, "The answer did not say which quiz question it was for.")
    now = utcnow()
    go = "summary" if request.form.get("timeup") else request.form.get("go", "")[:12]
    if not quiz.takes_answers(attempt, now):  # finished, or out of time: the result says which
        return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    typed = {"answer": request.form.getlist("answer")[:100]}
    if go in ("flag", "unflag"):
        quiz.set_flag(attempt, item.position, go == "flag")
        if request.headers.get("X-Requested-With") == "fetch":  # static/js/quiz.js updates the page itself
            return "", 204
        return _item_page(attempt, item, shown_at=form_int("shown_at", limit=10**15), typed=typed)
    if item.answered_at is None:  # an answered question stands: a resend changes nothing
        qtype = get_type(item.question.type)
        try:
            response = qtype.read_response(request.form.getlist, item.ordinal)
            # Moving to another question with nothing typed saves nothing; "Next" asks for an answer.
            if not go or not qtype.is_empty(response):
                quiz.answer(current_user, attempt, item.position, response, now=now, duration_ms=duration_ms(now))
        except (ResponseError, cards.AskAgain) as exc:
            # Nothing was recorded: the same question again, saying what was wrong, typed text kept.
            return _item_page(attempt, item, error=str(exc), shown_at=form_int("shown_at", limit=10**15),
                              typed=typed), 400
    return _after(attempt, item.position, go)


@bp.get("/quiz/<int:attempt_id>/summary")
@login_required
def quiz_summary(attempt_id: int):
    """Moodle's summary of attempt: which questions are answered, which flagged, then "Submit all and finish"."""
    now = utcnow()
    attempt = quiz.attempt_for(current_user, attempt_id, now)
    if attempt.finished_at is not None:
        return redirect(url_for("study.quiz_take", attempt_id=attempt.id))
    return render_template("study/quiz_summary.html", attempt=attempt, nav=quiz.navigation(attempt),
                           score=quiz.score(attempt), timer=_timer(attempt, now))


@bp.post("/quiz/<int:attempt_id>/finish")
@login_required
def quiz_finish(attempt_id: int):
    attempt = _own(attempt_id)
    quiz.finish(attempt, utcnow())
    return redirect(url_for("study.quiz_take", attempt_id=attempt.id))


@bp.post("/quiz/<int:attempt_id>/retry")
@login_required
def quiz_retry(attempt_id: int):
    """"Retry the wrong ones": a new attempt of the questions this one did not get right."""
    attempt = quiz.attempt_for(current_user, attempt_id, utcnow())
    retry = quiz.retry_wrong(current_user, attempt, utcnow())
    return redirect(url_for("study.quiz_take", attempt_id=retry.id))
