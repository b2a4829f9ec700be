"""The study loop. Forms post and redirect, so it all works without JavaScript."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..domain import scheduling as sched
from ..domain import text
from ..domain.optimiser import NotEnoughReviews
from ..domain.questions import get_type
from ..models.types import utcnow
from ..services import answers, browse, cards, catalog, study_queue, tuning
from ..web import clock
from ..web.params import duration_ms, form_int, number, shown_at
from . import bp, focus, pending
from .forms import SettingsForm


def chosen_bank_ids() -> list[int]:
    """Banks picked for this session (``?bank=`` to change), else every bank the learner has."""
    return _chosen_and_allowed()[0]


def _chosen_and_allowed(allowed: set[int] | None = None) -> tuple[list[int], set[int]]:
    if allowed is None:
        allowed = catalog.accessible_bank_ids(current_user)
    if "bank" in request.args:
        picked = [b for b in map(number, request.args.getlist("bank")) if b in allowed]
        session["study_banks"] = picked
    picked = [b for b in session.get("study_banks") or [] if b in allowed]
    return picked or sorted(allowed), allowed


@bp.get("/study")
@login_required
def index():
    now = utcnow()
    banks = study_queue.study_banks(current_user)  # the learner's banks, in the queue's order
    bank_ids, allowed = _chosen_and_allowed({bank.id for bank in banks})
    if pending.waiting():  # an answer sent while signed out comes first
        return redirect(url_for("study.pending_answer"))
    focused = focus.next_pick(current_user, now)
    # One query of the queue's state gives the counts, the next card and the undo button's answer.
    queue = study_queue.queue(current_user, bank_ids, now, with_pick=focused is None, banks=banks)
    pick = focused or queue.pick
    if pick is None:
        comeback = study_queue.next_learning_due(current_user, bank_ids, now)
        zone = current_user.timezone
        if comeback is None:  # nothing more today: the next study day's start, when reviews and new cards come
            comeback = sched.study_day(now, zone, current_user.day_start_hour)[1]
            when = ("new_day", clock.day_phrase(comeback, now, zone), clock.clock_time(comeback, zone))
        else:
            when = ("learning", clock.day_phrase(comeback, now, zone), clock.clock_time(comeback, zone))
        return render_template("study/done.html", counts=queue.counts, banks=catalog.banks_for(current_user),
                               chosen=bank_ids, comeback=comeback, when=when, last=answers.last_log(current_user),
                               suspended=browse.suspended_count(current_user, bank_ids))
    return _card_page(pick, now, bank_ids, queue=queue, bank_total=len(allowed))


SUGGESTED = "suggested"  # session: [answer id, the rating suggested when it was recorded]


@dataclass(frozen=True)
class _LastAnswer:
    """What the undo button needs of the learner's latest answer: its id."""

    id: int


def _card_page(pick: cards.Pick, now, bank_ids: list[int], *, queue: study_queue.Queue | None = None,
               bank_total: int | None = None, error: str | None = None, status: int = 200,
               typed: dict | None = None):
    """The card's page; with ``error`` (an answer to ask again for) the learner's input is kept.

    The bank chooser is on the page only when asked for (``?choose=1``, the link in its place):
    every bank with its question count on every card cost more than the card itself."""
    if queue is None:
        queue = study_queue.queue(current_user, bank_ids, now, with_pick=False)
    if bank_total is None:
        bank_total = len(catalog.accessible_bank_ids(current_user))
    seed = f"{current_user.id}:{pick.question.id}:{pick.ordinal}:{pick.state.reps}"
    qtype = get_type(pick.question.type)
    choose = request.args.get("choose") == "1"
    return render_template(
        "study/card.html", pick=pick, qtype=qtype, view=study_queue.presentation(pick, seed),
        counts=queue.counts, banks=catalog.banks_for(current_user) if choose else None, chosen=bank_ids,
        bank_total=bank_total, choose=choose, reveal=request.args.get("reveal") == "1",
        intervals=study_queue.button_intervals(current_user, pick, now) if not qtype.auto_graded else None,
        client_id=(typed or {}).get("client_id") or secrets.token_urlsafe(16),
        shown_at=form_int("shown_at", limit=10**15) if typed else int(now.timestamp() * 1000),
        version=cards.card_version(pick.card), owner=pending.owner_token(current_user.id),
        last=_LastAnswer(queue.last_log_id) if queue.last_log_id is not None else None,
        ratings=sched.RATING_NAMES, error=error, typed=typed or {}), status


@bp.post("/study/answer")
def answer():
    if not current_user.is_authenticated:
        return pending.keep_for_after_login()
    question_id, ordinal = form_int("question_id"), form_int("ordinal", 0)
    if question_id is None:
        abort(400, "The answer did not say which question it was for.")
    question = cards.load_question(current_user, question_id, ordinal)
    qtype = get_type(question.type)
    now = utcnow()
    try:
        response = answers.read_answer(question, ordinal, request.form.getlist)
        result = answers.record_answer(current_user, question_id, ordinal, response,
                                     request.form.get("client_id", ""), now=now,
                                     duration_ms=duration_ms(now), shown_at=shown_at(), rating=form_int("rating"),
                                     seen_version=request.form.get("version") or None, question=question)
    except cards.AskAgain as exc:
        typed = {"answer": request.form.getlist("answer")[:100], "client_id": request.form.get("client_id", "")}
        return _card_page(cards.pick_for(current_user, question, ordinal), now, chosen_bank_ids(), error=str(exc),
                          status=400, typed=typed)
    except cards.StaleCard as exc:
        flash(str(exc), "info")
        return redirect(url_for("study.index"))
    if not qtype.auto_graded:
        return redirect(url_for("study.index"))
    # The rating this answer suggested, for its feedback page (which would otherwise read the learner's
    # latest answers again to work it out): the same figure, from the same answers before this one.
    session[SUGGESTED] = [result.log.id, result.suggested]
    return redirect(url_for("study.answered", log_id=result.log.id))


@bp.route("/study/pending", methods=["GET", "POST"])
@login_required
def pending_answer():
    """An answer sent while signed out (or with an expired form), shown back after logging in."""
    return pending.show_or_apply()


@bp.get("/study/answered/<int:log_id>")
@login_required
def answered(log_id: int):
    log, card = answers.own_answer(current_user, log_id)  # with its question and bank, in one query
    question = card.question
    qtype = get_type(question.type)
    outcome = qtype.grade(cards.graded_data(question), log.answer, card.ordinal)
    # The counts and the learner's latest answer from the one query of the queue's state.
    queue = study_queue.queue(current_user, chosen_bank_ids(), utcnow(), with_pick=False)
    is_latest = queue.last_log_id == log.id
    # The rating buttons (their intervals, the suggestion beside them) are shown on the latest answer only.
    kept = session.get(SUGGESTED)
    if not is_latest:
        suggested = None
    elif isinstance(kept, list) and len(kept) == 2 and kept[0] == log.id:
        suggested = kept[1]
    else:
        suggested = answers.suggestion(current_user, qtype, outcome, log.duration_ms, before_log_id=log.id)
    return render_template(
        "study/feedback.html", log=log, card=card, question=question, qtype=qtype, outcome=outcome,
        suggested=suggested, intervals=answers.log_intervals(current_user, log, card) if is_latest else {},
        ratings=sched.RATING_NAMES, can_rerate=is_latest, is_latest=is_latest,
        given=qtype.given_text(log.answer), diff=_difference(qtype, log.answer, outcome),
        counts=queue.counts)


def _difference(qtype, response, outcome) -> list[tuple[str, str]] | None:
    """A near-miss typed answer beside the form it nearly matched, letter by letter."""
    if not outcome.near_miss or not isinstance(response, str):
        return None
    return text.difference(response, outcome.near_miss)


@bp.post("/study/rate")
@login_required
def rate():
    log_id, rating = form_int("log_id"), form_int("rating")
    if log_id is None or rating is None:
        abort(400, "Choose a rating.")
    answers.own_log(current_user, log_id)
    answers.rerate(current_user, log_id, rating)
    flash(f"Rated {sched.RATING_NAMES[rating]}.", "success")
    return redirect(url_for("study.index"))


@bp.post("/study/count-as-right")
@login_required
def count_as_right():
    log_id = form_int("log_id")
    if log_id is None:
        abort(400, "The request did not say which answer.")
    answers.count_as_right(current_user, log_id)
    flash("Counted as right (a typo), rated Good.", "success")
    return redirect(url_for("study.index"))


@bp.post("/study/undo")
@login_required
def undo():
    log_id = form_int("log_id")
    try:
        log = answers.undo(current_user, log_id)
    except cards.StudyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.index"))
    flash("Your last answer was taken back." if log else "There is no answer to take back.", "info")
    return redirect(url_for("study.index"))


@bp.post("/study/card/<int:question_id>/<int:ordinal>/<action>")
@login_required
def card_action(question_id: int, ordinal: int, action: str):
    if action == "suspend":
        cards.set_suspended(current_user, question_id, ordinal, True)
        flash("Card suspended: it will not be shown until you unsuspend it.", "info")
    elif action == "unsuspend":
        cards.set_suspended(current_user, question_id, ordinal, False)
        flash("Card unsuspended.", "info")
    elif action == "bury":
        cards.bury(current_user, question_id, ordinal, utcnow())
        flash("Card buried until tomorrow.", "info")
    else:
        abort(404)
    return redirect(request.form.get("next") if request.form.get("next") == url_for("study.leeches")
                    else url_for("study.index"))


@bp.get("/study/leeches")
@login_required
def leeches():
    return render_template("study/leeches.html", cards=cards.leeches(current_user))


@bp.route("/study/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        tuning.save_settings(current_user, desired_retention=float(form.desired_retention.data),
                             new_per_day=form.new_per_day.data, reviews_per_day=form.reviews_per_day.data,
                             timezone=form.timezone.data, day_start_hour=form.day_start_hour.data)
        flash("Settings saved.", "success")
        return redirect(url_for("study.settings"))
    reviews = answers.review_count(current_user)
    status = 400 if form.is_submitted() else 200
    return render_template("study/settings.html", form=form, reviews=reviews), status


@bp.post("/study/settings/optimise")
@login_required
def optimise():
    try:
        result = tuning.optimise_for(current_user)
    except NotEnoughReviews as exc:
        flash(f"{exc}.", "error")
        return redirect(url_for("study.settings"))
    if result.adopted:
        flash(f"Your scheduler now uses parameters fitted to your own answers ({result.items} review items from "
              f"{result.cards} cards), and your cards were rescheduled with them. Predicting {result.held_out} of "
              f"your reviews from the ones before them, they scored a log loss of {result.fitted.log_loss:.4f} "
              f"against {result.current.log_loss:.4f} for your previous parameters, and an RMSE(bins) of "
              f"{result.fitted.rmse_bins:.1%} against {result.current.rmse_bins:.1%} (lower predicts you better).",
              "success")
    elif result.fitted is None:
        flash(f"Your parameters were kept: fitting new ones to your {result.items} review items failed. "
              "Try again after more reviews.", "info")
    else:
        flash(f"Your parameters were kept: parameters fitted to your answers did not predict your later reviews "
              f"clearly better than your current ones (log loss {result.fitted.log_loss:.4f} against "
              f"{result.current.log_loss:.4f} on {result.held_out} reviews; lower is better). Try again after "
              "more reviews.", "info")
    return redirect(url_for("study.settings"))
