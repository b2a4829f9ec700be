"""Custom study: pick a session (study ahead, forgotten cards, a tag) and study it on the "study just
these" mechanism (focus.py); choosing writes nothing to the learner's cards. "More new cards today"
raises today's new-card limit of the daily queue instead."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..models.types import utcnow
from ..services import browse, cards, custom_study
from . import bp, focus
from .forms import CustomStudyForm
from .routes import chosen_bank_ids


@bp.route("/study/custom", methods=["GET", "POST"])
@login_required
def custom():
    bank_ids = chosen_bank_ids()
    tags = custom_study.tag_counts(current_user, bank_ids)
    form = CustomStudyForm()
    form.tags.choices = [SelectChoice(t, t) for t in tags]
    if form.validate_on_submit():
        now = utcnow()
        mode = form.mode.data
        if mode == "new":  # not a session: the daily queue, with today's new-card limit raised
            raised = custom_study.more_new(current_user, form.extra_new.data, now)
            focus.clear()
            flash(f"Today's new-card limit is raised by {raised}: your daily queue shows that many more new "
                  "cards today. Tomorrow your usual limit applies.", "success")
            return redirect(url_for("study.index"))
        start = {
            "ahead": lambda: custom_study.ahead(current_user, form.ahead_days.data, now, bank_ids),
            "forgotten": lambda: custom_study.forgotten(current_user, form.forgotten_days.data, now, bank_ids),
            "tag": lambda: custom_study.by_tag(current_user, form.tags.data, now, bank_ids),
        }[mode]
        try:
            chosen = start()
        except custom_study.CustomStudyError as exc:
            getattr(form, CustomStudyForm.NEEDS[mode]).errors.append(str(exc))
        else:
            if not chosen.cards:
                flash(f"{custom_study.MODES[mode]}: no cards to study in your chosen banks.", "info")
                return redirect(url_for("study.custom"))
            focus.start_cards(chosen.cards, now, label=chosen.label, until=cards.day_bounds(current_user, now)[1])
            if chosen.capped:
                flash(f"{chosen.matched} cards match: this session holds the first {len(chosen.cards)}.", "info")
            return redirect(url_for("study.index"))
    status = 400 if form.is_submitted() else 200
    titles = dict(browse.bank_choices(current_user))
    in_banks = [titles[b] for b in bank_ids if b in titles]
    return render_template("study/custom.html", form=form, tags=tags, in_banks=in_banks,
                           bank_total=len(titles)), status
