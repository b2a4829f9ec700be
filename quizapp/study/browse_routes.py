"""The card browser (Anki's Browse): search and filter the learner's cards; suspend, bury, flag, reset
to new, set a due date or study a set; one card's history (Anki's "Card info").

Everything is a plain form: the search is a GET query (a link to a filtered page can be kept), the
actions post one form whose buttons name either one card or the ticked ones, then come back to the
same filtered page.
"""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from ..models.types import utcnow
from ..services import browse
from ..services import card_history as history_service
from ..services.progress import FOCUS_LIMIT
from ..web.params import number
from . import bp, focus
from .forms import BrowseForm

# The query arguments of a filtered page, kept across actions and pages.
FILTER_ARGS = ("q", "bank", "tag", "state", "due", "lapses", "last", "flag", "sort")


def _filter_args(args: MultiDict) -> dict[str, str]:
    """The filter's non-empty arguments (first value of each; at most a few hundred characters)."""
    return {k: args.get(k, "")[:300] for k in FILTER_ARGS if args.get(k)}


def _form(args: MultiDict) -> tuple[BrowseForm, browse.Filter | None]:
    """The search form with the learner's banks and tags as choices, and its filter (None if invalid)."""
    form = BrowseForm(args)
    form.bank.choices = [SelectChoice("", "All banks"),
                         *(SelectChoice(str(b), t) for b, t in browse.bank_choices(current_user))]
    form.tag.choices = [SelectChoice("", "Any tag"), *(SelectChoice(t, t) for t in browse.tag_choices(current_user))]
    if not form.validate():
        return form, None
    return form, browse.Filter(
        text=(form.q.data or "").strip(), bank_id=int(form.bank.data) if form.bank.data else None,
        tag=form.tag.data or "", state=form.state.data or "", due=form.due.data or "", min_lapses=form.lapses.data,
        last=form.last.data or "", sort=form.sort.data or "order", flag=form.flag.data or "")


def _page_url(args: dict[str, str], page: int) -> str:
    return url_for("study.browse_cards", **args, page=page)


@bp.get("/study/cards")
@login_required
def browse_cards():
    form, filt = _form(request.args)
    args = _filter_args(request.args)
    if filt is None:
        return render_template("study/browse.html", form=form, page=None, args=args, page_url=_page_url,
                               focus_limit=FOCUS_LIMIT, flags=browse.FLAGS), 400
    page = browse.browse(current_user, filt, number(request.args.get("page", "1"), 10**6) or 1, utcnow())
    return render_template("study/browse.html", form=form, page=page, args=args, page_url=_page_url,
                           focus_limit=FOCUS_LIMIT, filtered=bool(args.keys() - {"sort"}), flags=browse.FLAGS)


def _back() -> str:
    """The filtered page the form came from (its ``f_`` fields, re-encoded: never another address),
    or the card's history page when the form was there (``f_card``: a card key)."""
    card = request.form.get("f_card", "")
    if card:
        (qid, ordinal), = browse.parse_keys([card], limit=1)
        return url_for("study.card_history", question_id=qid, ordinal=ordinal)
    args: dict[str, str | int] = {k: request.form.get(f"f_{k}", "")[:300] for k in FILTER_ARGS
                                  if request.form.get(f"f_{k}")}
    page = number(request.form.get("f_page", ""), 10**6)
    if page and page > 1:
        args["page"] = page
    return url_for("study.browse_cards", **args)


@bp.post("/study/cards/act")
@login_required
def browse_act():
    """One card's action (a row's button: "suspend 12:0") or the ticked cards' (``bulk``)."""
    now = utcnow()
    one = request.form.get("one", "")
    if one:
        action, _, key = one.partition(" ")
        keys = browse.parse_keys([key])
    else:
        action = request.form.get("bulk", "")
        keys = browse.parse_keys(request.form.getlist("card"))
        if not keys:
            flash("Tick the cards first, then choose what to do with them.", "error")
            return redirect(_back())
    if action == "study":
        focus.start_cards(browse.own_cards(current_user, keys), now, label="Studying the cards you chose")
        return redirect(url_for("study.index"))
    flag = due_on = None
    if action == "flag":
        flag = number(request.form.get("flag", ""), 9)
    elif action == "reschedule":
        due_on = _day(request.form.get("due_on", ""))
    try:
        changed = browse.apply(current_user, action, keys, now, flag=flag, due_on=due_on)
    except browse.CannotApply as exc:  # a day or a card the action cannot take: said on the same page
        flash(str(exc), "error")
        return redirect(_back())
    n = len(keys)
    done = {"suspend": "suspended", "unsuspend": "unsuspended", "bury": "buried until tomorrow",
            "unbury": "unburied", "forget": "reset to new",
            "reschedule": f"due on {due_on:%Y-%m-%d}" if due_on else "",
            "flag": f"flagged {browse.FLAGS[flag].lower()}" if flag else "unflagged"}[action]
    flash(f"{n} card{'' if n == 1 else 's'} {done}." if changed else f"Nothing to change: already {done}.", "success")
    return redirect(_back())


@bp.post("/study/cards/focus")
@login_required
def browse_focus():
    """"Study just these": the cards the filter finds, outside the daily limits (at most FOCUS_LIMIT)."""
    form, filt = _form(request.form)
    if filt is None:
        flash("That search cannot be studied: " + "; ".join(e for f in form for e in f.errors), "error")
        return redirect(url_for("study.browse_cards"))
    now = utcnow()
    keys, total = browse.focus_cards(current_user, filt, now, FOCUS_LIMIT)
    if not keys:
        flash("None of these cards can be studied now: they are suspended or buried, or there are none.", "error")
        return redirect(url_for("study.browse_cards", **_filter_args(request.form)))
    label = "Studying the cards you found"
    if total > len(keys):
        label = f"Studying the first {len(keys)} of the {total} cards you found"
    focus.start_cards(keys, now, label=label)
    return redirect(url_for("study.index"))


def _day(text: str) -> date | None:
    """A date input's value (YYYY-MM-DD); an unreadable one is refused (400), an empty one is None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        return None


@bp.get("/study/cards/<int:question_id>/<int:ordinal>")
@login_required
def card_history(question_id: int, ordinal: int):
    """One card: its state, flag and due date, the actions on it, and every answer given to it."""
    card = history_service.history(current_user, question_id, ordinal, utcnow())
    return render_template("study/card_history.html", card=card, flags=browse.FLAGS)
